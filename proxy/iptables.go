package proxy

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

// jump is one rule in a built-in chain that sends traffic into one of Skiff's chains.
type jump struct {
	table, chain string
	args         []string
}

// jumps are the only rules Skiff adds outside its own chains.
var jumps = []jump{
	{"nat", "PREROUTING", []string{"-m", "comment", "--comment", "skiff service portals", "-j", chainServices}},
	{"nat", "OUTPUT", []string{"-m", "comment", "--comment", "skiff service portals", "-j", chainServices}},
	{"nat", "POSTROUTING", []string{"-m", "comment", "--comment", "skiff postrouting rules", "-j", chainPostrouting}},
	{"filter", "INPUT", []string{"-m", "comment", "--comment", "skiff services without endpoints", "-j", chainFilter}},
	{"filter", "OUTPUT", []string{"-m", "comment", "--comment", "skiff services without endpoints", "-j", chainFilter}},
	{"filter", "FORWARD", []string{"-m", "comment", "--comment", "skiff services without endpoints", "-j", chainFilter}},
}

// Runner applies rules with the iptables commands of the host.
type Runner struct {
	// Restore is the iptables-restore binary ("iptables-restore").
	Restore string
	// IPTables is the iptables binary ("iptables").
	IPTables string
}

// DefaultRunner uses the iptables binaries on PATH.
var DefaultRunner = Runner{Restore: "iptables-restore", IPTables: "iptables"}

// Apply writes Skiff's chains atomically. --noflush keeps everyone else's rules; Skiff's
// own chains are declared in the input, which flushes and refills them.
func (r Runner) Apply(rules string) error {
	// Chains that existed before but are gone from the new rules must be deleted, or
	// stale SKIFF-SVC chains would pile up: declare them too and delete them at the end.
	stale, err := r.staleChains(rules)
	if err != nil {
		return err
	}
	input := rules
	if len(stale) > 0 {
		input = strings.Replace(input, "*nat\n", "*nat\n"+declare(stale), 1)
		// Deletions go before the nat table's COMMIT, the last one in the input.
		natEnd := strings.LastIndex(input, "COMMIT\n")
		var del strings.Builder
		for _, c := range stale {
			fmt.Fprintf(&del, "-X %s\n", c)
		}
		input = input[:natEnd] + del.String() + input[natEnd:]
	}
	cmd := exec.Command(r.Restore, "--noflush", "--wait")
	cmd.Stdin = strings.NewReader(input)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("iptables-restore: %v: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

func declare(chains []string) string {
	var b strings.Builder
	for _, c := range chains {
		fmt.Fprintf(&b, ":%s - [0:0]\n", c)
	}
	return b.String()
}

// staleChains lists Skiff's per-service chains in the nat table that the new rules no
// longer declare.
func (r Runner) staleChains(rules string) ([]string, error) {
	out, err := exec.Command(r.IPTables, "-w", "-t", "nat", "-S").Output()
	if err != nil {
		return nil, fmt.Errorf("list nat rules: %w", err)
	}
	var stale []string
	for _, line := range strings.Split(string(out), "\n") {
		name, ok := strings.CutPrefix(line, "-N ")
		if !ok || !(strings.HasPrefix(name, svcChainPrefix) || strings.HasPrefix(name, sepChainPrefix)) {
			continue
		}
		if !strings.Contains(rules, ":"+name+" ") {
			stale = append(stale, name)
		}
	}
	return stale, nil
}

// EnsureJumps creates Skiff's top chains and the jump rules into them, once.
func (r Runner) EnsureJumps() error {
	for _, j := range jumps {
		top := j.args[len(j.args)-1]
		// -N fails when the chain exists; that is fine.
		_ = exec.Command(r.IPTables, "-w", "-t", j.table, "-N", top).Run()
		check := append([]string{"-w", "-t", j.table, "-C", j.chain}, j.args...)
		if exec.Command(r.IPTables, check...).Run() == nil {
			continue
		}
		insert := append([]string{"-w", "-t", j.table, "-I", j.chain, "1"}, j.args...)
		if out, err := exec.Command(r.IPTables, insert...).CombinedOutput(); err != nil {
			return fmt.Errorf("iptables %s: %v: %s", strings.Join(insert, " "), err, bytes.TrimSpace(out))
		}
	}
	return nil
}

// Cleanup removes every jump rule and every chain Skiff made, leaving the tables as they
// were before the proxy first ran.
func (r Runner) Cleanup() error {
	var errs []string
	for _, j := range jumps {
		del := append([]string{"-w", "-t", j.table, "-D", j.chain}, j.args...)
		for exec.Command(r.IPTables, del...).Run() == nil {
		}
	}
	for _, table := range []string{"nat", "filter"} {
		out, err := exec.Command(r.IPTables, "-w", "-t", table, "-S").Output()
		if err != nil {
			errs = append(errs, fmt.Sprintf("list %s: %v", table, err))
			continue
		}
		var chains []string
		for _, line := range strings.Split(string(out), "\n") {
			if name, ok := strings.CutPrefix(line, "-N "); ok && strings.HasPrefix(name, "SKIFF-") {
				chains = append(chains, name)
			}
		}
		// Flush all first (rules in one chain may jump to another), then delete.
		for _, c := range chains {
			_ = exec.Command(r.IPTables, "-w", "-t", table, "-F", c).Run()
		}
		for _, c := range chains {
			if out, err := exec.Command(r.IPTables, "-w", "-t", table, "-X", c).CombinedOutput(); err != nil {
				errs = append(errs, fmt.Sprintf("delete %s/%s: %v: %s", table, c, err, bytes.TrimSpace(out)))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("cleanup: %s", strings.Join(errs, "; "))
	}
	return nil
}
