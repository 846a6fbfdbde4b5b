package devstack

import (
	"fmt"
	"os/exec"
	"strings"
)

// CNI's bridge and portmap plugins add iptables rules for every allocation in bridge mode, and Nomad removes them
// when the allocation's network is torn down. An agent that is killed first leaves them behind, and a stale
// port-forwarding rule keeps redirecting its host port — on loopback too — to an address nobody answers.

// cniTables are the iptables tables CNI writes to.
var cniTables = []string{"nat", "filter"}

// CleanCNIRules deletes the iptables rules whose text satisfies match (CNI marks each with a comment naming the
// network and the allocation: `name: "nomad" id: "<alloc ID>"`), then the CNI chains that only those rules
// jumped to. It returns how many rules it deleted. Without iptables on PATH it does nothing.
func CleanCNIRules(match func(rule string) bool) (int, error) {
	if _, err := exec.LookPath("iptables"); err != nil {
		return 0, nil
	}
	n := 0
	for _, table := range cniTables {
		out, err := exec.Command("iptables", "-w", "-t", table, "-S").Output()
		if err != nil {
			return n, fmt.Errorf("listing iptables %s rules: %w", table, err)
		}
		chains := map[string]bool{}
		for _, line := range strings.Split(string(out), "\n") {
			if !strings.HasPrefix(line, "-A ") || !match(line) {
				continue
			}
			args := splitRule(line)
			if target := ruleTarget(args); strings.HasPrefix(target, "CNI-") && !strings.HasPrefix(target, "CNI-HOSTPORT") {
				chains[target] = true
			}
			args[0] = "-D"
			if err := exec.Command("iptables", append([]string{"-w", "-t", table}, args...)...).Run(); err == nil {
				n++
			}
		}
		for c := range chains {
			_ = exec.Command("iptables", "-w", "-t", table, "-F", c).Run()
			_ = exec.Command("iptables", "-w", "-t", table, "-X", c).Run()
		}
	}
	return n, nil
}

// NomadRule matches the CNI rules of any Nomad allocation.
func NomadRule(rule string) bool { return strings.Contains(rule, `name: \"nomad\"`) }

// allocRule returns a matcher for the CNI rules of the given allocations.
func allocRule(allocIDs []string) func(string) bool {
	return func(rule string) bool {
		for _, id := range allocIDs {
			if strings.Contains(rule, `id: \"`+id+`\"`) {
				return true
			}
		}
		return false
	}
}

// splitRule splits an `iptables -S` line into arguments, honouring double quotes and backslash escapes.
func splitRule(line string) []string {
	var args []string
	var cur strings.Builder
	inQuote, inArg := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			inArg = true
		case c == '"':
			inQuote, inArg = !inQuote, true
		case c == ' ' && !inQuote:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}

func ruleTarget(args []string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-j" {
			return args[i+1]
		}
	}
	return ""
}
