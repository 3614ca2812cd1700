package config

import (
	"reflect"
	"testing"
)

// A misspelt DESKGATE_* variable is reported with the closest known one
// (before: silently ignored, the default used).
func TestUnknownEnvNamesTheClosest(t *testing.T) {
	got := UnknownEnv([]string{
		"PATH=/bin", "DESKGATE_MAX_MESAGE_BYTES=10", "DESKGATE_DOMAINS=a.example", "DESKGATE_SMTP_ADR=:25",
		"DESKGATE_CORPORA=/x", "DESKGATE_UNSEEN_DELAY=", "deskgate_data_dir=/d",
	})
	want := []string{
		"DESKGATE_MAX_MESAGE_BYTES is not a deskgate setting and is ignored; did you mean DESKGATE_MAX_MESSAGE_BYTES?",
		"DESKGATE_SMTP_ADR is not a deskgate setting and is ignored; did you mean DESKGATE_SMTP_ADDR?",
		"deskgate_data_dir is not a deskgate setting and is ignored; did you mean DESKGATE_DATA_DIR?",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q", got)
	}
	if w := UnknownEnv([]string{"DESKGATE_LOG_LEVEL=debug", "HOME=/root"}); len(w) != 0 {
		t.Fatalf("warned about known variables: %q", w)
	}
}
