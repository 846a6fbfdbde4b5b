package platform

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestPlatformDocCoversSchema checks that docs/platform.md documents every argument and block of every block
// type, in the section whose heading names that block type, and that its hcl examples parse without errors.
func TestPlatformDocCoversSchema(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../docs/platform.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src)
	sections := map[string]string{}
	heading := regexp.MustCompile("(?m)^#{2,4} (.*)$")
	locs := heading.FindAllStringSubmatchIndex(doc, -1)
	for i, loc := range locs {
		end := len(doc)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(doc[loc[2]:loc[3]], -1) {
			sections[m[1]] += doc[loc[0]:end]
		}
	}
	for _, s := range schemaIndex() {
		section, ok := sections[s.Name]
		if !ok {
			t.Errorf("docs/platform.md has no section for the %q block", s.Name)
			continue
		}
		var names []string
		for _, a := range s.Schema.Attributes {
			names = append(names, a.Name)
		}
		for _, b := range s.Schema.Blocks {
			names = append(names, b.Type)
		}
		for _, name := range names {
			if !strings.Contains(section, "`"+name+"`") {
				t.Errorf("docs/platform.md: the %q section does not document %q", s.Name, name)
			}
		}
	}
	examples := regexp.MustCompile("(?s)```hcl\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(examples) == 0 {
		t.Fatal("docs/platform.md has no hcl example")
	}
	for _, m := range examples {
		if _, diags := Parse([]byte(m[1]), "docs/platform.md"); diags.HasErrors() {
			t.Errorf("example does not parse: %s\n%s", diags, m[1])
		}
	}
}
