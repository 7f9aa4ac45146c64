package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"xingqu/store"
)

// traveller acts on one traveller's data: forget deletes it on their request.
func traveller(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const usage = "usage: xingqu traveller forget --channel telegram|web --id ID"
	if len(args) < 1 || args[0] != "forget" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("traveller forget", flag.ContinueOnError)
	fs.SetOutput(stderr)
	channel := fs.String("channel", "", "telegram or web")
	id := fs.String("id", "", "the Telegram chat id, or the widget session id")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *channel == "" || *id == "" {
		return errors.New(usage)
	}
	cfg, err := parseConfig(getenv)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := store.ForgetTraveller(ctx, db, *channel, *id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no traveller %s:%s (nothing deleted)", *channel, *id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "forgot traveller %s:%s: %d conversation(s), %d message(s) deleted\n", *channel, *id, r.Conversations, r.Messages)
	return nil
}
