package devstack

import (
	"reflect"
	"testing"
)

func TestSplitRule(t *testing.T) {
	t.Parallel()
	line := `-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \"nomad\" id: \"473b1b43\"" -m multiport --dports 28511,20765 -j CNI-DN-0458867216cfc6e570e9d`
	got := splitRule(line)
	want := []string{"-A", "CNI-HOSTPORT-DNAT", "-p", "tcp", "-m", "comment", "--comment", `dnat name: "nomad" id: "473b1b43"`,
		"-m", "multiport", "--dports", "28511,20765", "-j", "CNI-DN-0458867216cfc6e570e9d"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if !NomadRule(line) || !allocRule([]string{"473b1b43"})(line) || allocRule([]string{"other"})(line) {
		t.Fatal("matchers disagree with the rule")
	}
	if ruleTarget(got) != "CNI-DN-0458867216cfc6e570e9d" {
		t.Fatalf("target %q", ruleTarget(got))
	}
}
