package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// The tenant guard (sequence_set_guard.go), through the terraform CLI of
// the test run (TF_ACC_TERRAFORM_PATH): every client, Terraform 1.5 to
// 1.16 and OpenTofu, with or without identity.

// setEnv replaces (or adds) one variable of the CLI's environment.
func (c *terraformCLI) setEnv(name, value string) {
	c.env = slices.DeleteFunc(c.env, func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
	c.env = append(c.env, name+"="+value)
}

// mustFail runs a command that the guard must stop, and checks its output
// says why with every part of want.
func (c *terraformCLI) mustFail(want []string, args ...string) {
	c.t.Helper()
	out, err := c.try(args...)
	if err == nil {
		c.t.Fatalf("terraform %s succeeded; want the guard's error:\n%s", strings.Join(args, " "), out)
	}
	if !errRe(want...).MatchString(out) {
		c.t.Fatalf("terraform %s failed without the guard's error %q:\n%s", strings.Join(args, " "), want, out)
	}
}

// guardedCommands are the commands a switch of host or entity must stop:
// with and without refresh, the plan of an update and of a destroy.
var guardedCommands = [][]string{
	{"plan", "-no-color"},
	{"apply", "-auto-approve", "-no-color"},
	{"apply", "-auto-approve", "-no-color", "-refresh=false"},
	{"destroy", "-auto-approve", "-no-color", "-refresh=false"},
	{"destroy", "-auto-approve", "-no-color"},
}

// TestAccGuard_hostSwitch: state written against one host, the provider
// then pointed at another (a sandbox copy shares the IDs). Every command
// fails before any request to the new host, the state keeps every set, and
// the old host still has them.
func TestAccGuard_hostSwitch(t *testing.T) {
	oldHost, newHost := newTestEnv(t), newOtherHost(t) // live: the tenant, then a local Zuora
	dir := t.TempDir()
	cli := switchingCLI(t, oldHost, dir)
	writeConfig(t, dir, hostSwitchSets(oldHost, 3, 1))
	cli.run("apply", "-auto-approve", "-no-color")
	before := stateAddresses(cli)
	if len(before) != 3 {
		t.Fatalf("state after the first apply: %v", before)
	}

	cli.pointAt(newHost)
	// A change of every set, so that -refresh=false plans an update of each.
	writeConfig(t, dir, hostSwitchSets(oldHost, 3, 50))
	for _, args := range guardedCommands {
		cli.mustFail([]string{"Sequence set of another tenant", oldHost.url, newHost.url, "terraform state rm", "separate state"}, args...)
		// The provider's credentials check asks for its token; nothing about a set is sent.
		if n := newHost.fake.Stats().APIRequests; n != 0 {
			t.Fatalf("terraform %s sent %d requests to the new host, want 0: %v", strings.Join(args, " "), n, newHost.fake.Stats().ByRoute)
		}
		if got := stateAddresses(cli); !slices.Equal(got, before) {
			t.Fatalf("after terraform %s the state holds %v, want %v", strings.Join(args, " "), got, before)
		}
	}
	for i := range 3 {
		name := fmt.Sprintf("%s-L%d", oldHost.namePrefix, i)
		if set, err := oldHost.setByName(name); err != nil || set.Invoice.StartNumber != 1 {
			t.Fatalf("the old host lost or changed %s: %+v (%v)", name, set, err)
		}
	}

	// Back on the old host, the state is as it was.
	cli.pointAt(oldHost)
	writeConfig(t, dir, hostSwitchSets(oldHost, 3, 1))
	cli.planIsEmpty()
}

// hostSwitchSets is n sets of env's names and prefixes, with invoice start
// numbers from start.
func hostSwitchSets(env *testEnv, n int, start int64) string {
	return providerConfig() + fmt.Sprintf(`
resource "zuora_sequence_set" "s" {
  count       = %d
  name        = "%s-L${count.index}"
  invoice     = { prefix = "%sLI${count.index}", start_number = %d }
  credit_memo = { prefix = "%sLC${count.index}", start_number = %d }
  debit_memo  = { prefix = "%sLD${count.index}", start_number = %d }
}
`, n, env.namePrefix, env.prefixBase, start, env.prefixBase, start, env.prefixBase, start)
}

// switchingCLI is the terraform CLI of a test that points it at another
// host: when the test ends it is pointed back at env's and destroys what it
// manages there.
func switchingCLI(t *testing.T, env *testEnv, dir string) *terraformCLI {
	t.Helper()
	cli := newTerraformCLI(t, env, dir)
	cli.destroyAtEnd()
	t.Cleanup(func() { cli.pointAt(env) }) // runs first
	return cli
}

// pointAt points cli at env's host, with credentials env's Zuora accepts:
// the local Zuora's defaults, or live, for the tenant, the run's own (the
// provider's credentials check at Configure must pass for the guard to be
// what refuses).
func (c *terraformCLI) pointAt(env *testEnv) {
	id, secret := zuorafake.DefaultClientID, zuorafake.DefaultClientSecret
	if env.fake == nil && liveMode {
		id, secret = os.Getenv(envClientID), os.Getenv(envClientSecret)
	}
	c.setEnv(envHost, env.url)
	c.setEnv(envClientID, id)
	c.setEnv(envClientSecret, secret)
}

// TestAccGuard_entitySwitch: the same for entity_id in a multi-entity
// tenant; no request about a set is sent after the switch.
func TestAccGuard_entitySwitch(t *testing.T) {
	const e1, e2 = "a1b2c3d4-0000-4000-8000-000000000001", "a1b2c3d4-0000-4000-8000-000000000002"
	env := newLocalTestEnv(t, zuorafake.Options{Entities: []string{e1, e2}})
	dir := t.TempDir()
	cli := newTerraformCLI(t, env, dir)
	cli.setEnv(envEntityID, e1)
	writeConfig(t, dir, managedSetsFrom(2, 1))
	cli.run("apply", "-auto-approve", "-no-color")
	before := stateAddresses(cli)

	cli.setEnv(envEntityID, e2)
	writeConfig(t, dir, managedSetsFrom(2, 50))
	env.fake.ResetStats()
	for _, args := range guardedCommands {
		cli.mustFail([]string{"Sequence set of another entity", "entity_id " + e1, "entity_id " + e2, "terraform state rm", "separate state"}, args...)
		if n := env.fake.Stats().APIRequests; n != 0 { // the credentials check's token aside
			t.Fatalf("terraform %s sent %d requests after the entity switch, want 0: %v", strings.Join(args, " "), n, env.fake.Stats().ByRoute)
		}
		if got := stateAddresses(cli); !slices.Equal(got, before) {
			t.Fatalf("after terraform %s the state holds %v, want %v", strings.Join(args, " "), got, before)
		}
	}
	if n := len(env.fake.Entity(e1).Sets()); n != 3 {
		t.Fatalf("entity %s holds %d sets, want DEFAULT and the 2 made", e1, n)
	}
	if n := len(env.fake.Entity(e2).Sets()); n != 1 {
		t.Fatalf("entity %s holds %d sets, want DEFAULT alone", e2, n)
	}

	// Dropping entity_id is a switch too: the sets were written in e1.
	cli.setEnv(envEntityID, "")
	cli.mustFail([]string{"Sequence set of another entity", "entity_id " + e1, "no entity_id"}, "apply", "-auto-approve", "-no-color", "-refresh=false")

	cli.setEnv(envEntityID, e1)
	writeConfig(t, dir, managedSetsFrom(2, 1))
	cli.planIsEmpty()
}

// TestAccGuard_stateWithoutRecord: state written before the record existed
// (no private state) records the tenant on its next refresh, and from then
// on a host switch with -refresh=false is refused too, identity or not.
func TestAccGuard_stateWithoutRecord(t *testing.T) {
	oldHost, newHost := newTestEnv(t), newOtherHost(t) // live: the tenant, then a local Zuora
	dir := t.TempDir()
	cli := switchingCLI(t, oldHost, dir)
	writeConfig(t, dir, hostSwitchSets(oldHost, 2, 1))
	cli.run("apply", "-auto-approve", "-no-color")
	stripPrivateState(t, cli)

	cli.run("apply", "-refresh-only", "-auto-approve", "-no-color") // the refresh from the configured tenant
	cli.pointAt(newHost)
	writeConfig(t, dir, hostSwitchSets(oldHost, 2, 50))
	cli.mustFail([]string{"Sequence set of another tenant", oldHost.url, newHost.url}, "apply", "-auto-approve", "-no-color", "-refresh=false")
	if n := newHost.fake.Stats().APIRequests; n != 0 { // the credentials check's token aside
		t.Fatalf("the apply sent %d requests to the new host, want 0", n)
	}
}

// stripPrivateState rewrites the working directory's state as a release
// without the record wrote it: no private state, and no identity (as
// Terraform before 1.12 keeps it).
func stripPrivateState(t *testing.T, cli *terraformCLI) {
	t.Helper()
	path := filepath.Join(cli.dir, "terraform.tfstate")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]json.RawMessage
	var resources []map[string]json.RawMessage
	var serial int
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(json.Unmarshal(st["resources"], &resources), json.Unmarshal(st["serial"], &serial)); err != nil {
		t.Fatal(err)
	}
	stripped := 0
	for _, r := range resources {
		var instances []map[string]json.RawMessage
		if err := json.Unmarshal(r["instances"], &instances); err != nil {
			t.Fatal(err)
		}
		for _, inst := range instances {
			if _, ok := inst["private"]; ok {
				stripped++
			}
			delete(inst, "private")
			delete(inst, "identity")
			delete(inst, "identity_schema_version")
		}
		r["instances"], _ = json.Marshal(instances)
	}
	if stripped == 0 {
		t.Fatal("the state has no private state to strip: the provider did not record the tenant")
	}
	st["resources"], _ = json.Marshal(resources)
	st["serial"], _ = json.Marshal(serial + 1)
	out, _ := json.Marshal(st)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAccGuard_removeAdviceWorks: the guard's way out of a host switch
// names `terraform state rm` first, and what a removed block needs on each
// client; followed as said (applied with -refresh=false, since most
// clients refresh the set first), the removed block takes the sets out of the state
// without a request about them to the new host, and the old host keeps
// them.
func TestAccGuard_removeAdviceWorks(t *testing.T) {
	oldHost, newHost := newTestEnv(t), newOtherHost(t) // live: the tenant, then a local Zuora
	dir := t.TempDir()
	cli := newTerraformCLI(t, oldHost, dir)
	writeConfig(t, dir, hostSwitchSets(oldHost, 2, 1))
	cli.run("apply", "-auto-approve", "-no-color")
	names := []string{oldHost.namePrefix + "-L0", oldHost.namePrefix + "-L1"}
	for _, n := range names {
		oldHost.deleteAtEnd(n) // the removed block leaves them in Zuora
	}

	cli.pointAt(newHost)
	cli.mustFail([]string{"Sequence set of another tenant", "terraform state rm", "tofu state rm", "removed",
		"destroy = false", "-refresh=false"}, "plan", "-no-color")
	if !cli.atLeast("1.7.0") {
		return // no removed block before Terraform 1.7: terraform state rm is the way
	}
	writeConfig(t, dir, providerConfig()+`
removed {
  from = zuora_sequence_set.s
  lifecycle {
    destroy = false
  }
}
`)
	newHost.fake.ResetStats()
	cli.run("apply", "-auto-approve", "-no-color", "-refresh=false")
	if got := stateAddresses(cli); len(got) != 0 {
		t.Fatalf("after the removed block the state holds %v, want nothing", got)
	}
	if n := newHost.fake.Stats().APIRequests; n != 0 {
		t.Fatalf("the removed block sent %d requests to the new host, want 0: %v", n, newHost.fake.Stats().ByRoute)
	}
	for _, n := range names {
		if !oldHost.exists(n) {
			t.Fatalf("the old host lost %s", n)
		}
	}
}
