package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/skiffpaas/skiff/jobspec"
)

// varFlags collects -var and -var-file arguments in command-line order, as Terraform does: later arguments win
// over earlier ones, and all of them over *.auto.skiffvars.hcl files and SKIFF_VAR_* environment variables.
// Verbs that read a spec (validate, plan, deploy) register it with addVarFlags and pass options() to jobspec.
type varFlags struct {
	args []jobspec.VarArg
}

// addVarFlags registers -var and -var-file on fl.
func addVarFlags(fl *flag.FlagSet) *varFlags {
	v := &varFlags{}
	fl.Var(varFlag{v}, "var", "set a variable: -var 'name=value' (repeatable)")
	fl.Var(varFileFlag{v}, "var-file", "read variable values from an HCL file (repeatable)")
	return v
}

// options returns the jobspec options for the collected flags and the process environment.
func (v *varFlags) options() *jobspec.Options {
	return &jobspec.Options{VarArgs: v.args, Environ: os.Environ()}
}

// varFlag is the flag.Value of -var.
type varFlag struct{ v *varFlags }

func (f varFlag) String() string { return "" }

func (f varFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("the -var argument must be name=value, such as -var 'version=1.4.2'")
	}
	f.v.args = append(f.v.args, jobspec.VarArg{Name: name, Value: value})
	return nil
}

// varFileFlag is the flag.Value of -var-file.
type varFileFlag struct{ v *varFlags }

func (f varFileFlag) String() string { return "" }

func (f varFileFlag) Set(s string) error {
	if s == "" {
		return fmt.Errorf("the -var-file argument needs a file name")
	}
	f.v.args = append(f.v.args, jobspec.VarArg{File: s})
	return nil
}
