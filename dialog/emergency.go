package dialog

// EmergencyCategory is what kind of help a traveller in trouble needs. It picks the
// advice and the service (police, ambulance, fire) the first reply leads with.
type EmergencyCategory string

// The emergency categories, in the order ReadEmergency prefers them when a message
// names several troubles: a missing person or a body in danger comes before property.
const (
	EmergencyLostPerson EmergencyCategory = "lost_person" // someone missing, or the traveller lost
	EmergencyInjury     EmergencyCategory = "injury"      // accident, fall, fracture, bleeding
	EmergencyMedical    EmergencyCategory = "medical"     // illness, allergy, breathing, heart
	EmergencyDisaster   EmergencyCategory = "disaster"    // earthquake, flood, typhoon, fire, severe weather
	EmergencyDocuments  EmergencyCategory = "documents"   // passport or ID lost or stolen, consular help
	EmergencyCrime      EmergencyCategory = "crime"       // theft, robbery, assault, fraud
	EmergencyTransport  EmergencyCategory = "transport"   // cancelled flight or train, missed connection, lost luggage
	EmergencyOther      EmergencyCategory = "other"       // SOS, "emergency", "救命" without more
)

// EmergencyCategories lists every category, in ReadEmergency's order of preference.
var EmergencyCategories = []EmergencyCategory{EmergencyLostPerson, EmergencyInjury, EmergencyMedical,
	EmergencyDisaster, EmergencyDocuments, EmergencyCrime, EmergencyTransport, EmergencyOther}
