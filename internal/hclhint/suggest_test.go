package hclhint

import "testing"

func TestSuggest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"kvpath", []string{"kv_path", "ui_addr"}, "kv_path"},
		{"comand", []string{"command", "count"}, "command"},
		{"zzzzzz", []string{"command"}, ""},
		{"ab", []string{"ac", "ab1"}, "ab1"}, // distance 1 both: first in sort order
		{string(make([]byte, 70)), []string{"x"}, ""},
	}
	for _, tc := range cases {
		if got := Suggest(tc.name, tc.candidates); got != tc.want {
			t.Errorf("Suggest(%q, %v) = %q, want %q", tc.name, tc.candidates, got, tc.want)
		}
	}
}
