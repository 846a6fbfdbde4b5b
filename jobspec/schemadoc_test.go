package jobspec

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestSpecDocCoversSchema checks that docs/spec.md documents every argument and block of every block type, in the
// section whose heading names that block type.
func TestSpecDocCoversSchema(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../docs/spec.md")
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
		title := doc[loc[2]:loc[3]]
		for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(title, -1) {
			sections[m[1]] += doc[loc[0]:end]
		}
	}
	for _, e := range SchemaDoc() {
		section, ok := sections[e.Block]
		if !ok {
			t.Errorf("docs/spec.md has no section for the %q block", e.Block)
			continue
		}
		for _, name := range append(append([]string{}, e.Attributes...), e.Blocks...) {
			if !strings.Contains(section, "`"+name+"`") {
				t.Errorf("docs/spec.md: the %q section does not document %q", e.Block, name)
			}
		}
	}
}
