// Package notices holds the service notices of seed 000: the rules of announcements
// (lead times by type, texts in both languages), each instance's cached view of the
// notices and the maintenance state (NoticeBoard), which the pipeline consults before a
// turn, and the worker that delivers announcements to subscribers through the outbox.
package notices
