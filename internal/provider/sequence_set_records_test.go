package provider

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The records of a managed set (sequence_set_records.go) and what reads
// them, through the terraform CLI of the test run: every client.

// editPrivate rewrites the private state of every instance in the working
// directory's state with edit (its keys, with their values as JSON), as
// another release of the provider would have written it.
func editPrivate(t *testing.T, cli *terraformCLI, edit func(map[string]json.RawMessage)) {
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
	edited := 0
	for _, r := range resources {
		var instances []map[string]json.RawMessage
		if err := json.Unmarshal(r["instances"], &instances); err != nil {
			t.Fatal(err)
		}
		for _, inst := range instances {
			var encoded string
			if err := json.Unmarshal(inst["private"], &encoded); err != nil {
				t.Fatalf("instance without private state: %v", err)
			}
			raw, err := base64.StdEncoding.DecodeString(encoded)
			if err != nil {
				t.Fatal(err)
			}
			var keys map[string][]byte // the framework's: each value base64 in JSON
			if err := json.Unmarshal(raw, &keys); err != nil {
				t.Fatal(err)
			}
			values := map[string]json.RawMessage{}
			for k, v := range keys {
				values[k] = v
			}
			edit(values)
			keys = map[string][]byte{}
			for k, v := range values {
				keys[k] = v
			}
			raw, _ = json.Marshal(keys)
			inst["private"], _ = json.Marshal(base64.StdEncoding.EncodeToString(raw))
			edited++
		}
		r["instances"], _ = json.Marshal(instances)
	}
	if edited == 0 {
		t.Fatal("the state has no instance to edit")
	}
	st["resources"], _ = json.Marshal(resources)
	st["serial"], _ = json.Marshal(serial + 1)
	out, _ := json.Marshal(st)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// planExit runs a plan with args and returns its exit code (0: no change,
// 2: changes), failing the test on an error.
func (c *terraformCLI) planExit(args ...string) (int, string) {
	c.t.Helper()
	out, err := c.try(append([]string{"plan", "-detailed-exitcode", "-no-color"}, args...)...)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out
	case errors.As(err, &exit) && exit.ExitCode() == 2:
		return 2, out
	}
	c.t.Fatalf("terraform plan %s: %v\n%s", strings.Join(args, " "), err, out)
	return 1, out
}

// TestAccRecords_entityOfTheToken: the entity a set is recorded in is the
// one its requests worked on: entity_id, or the entity the token covers
// (its scope's entity.<uuid>). So state written without entity_id, then
// planned with entity_id (or ZUORA_ENTITY_ID) set to that same entity, in
// any case, is not refused; nor is dropping entity_id again, when the
// token covers that entity alone. The same holds for state whose record
// predates the token's entity (an entity left empty). Live too: the
// entity is the run's ZUORA_ENTITY_ID, or the token's.
func TestAccRecords_entityOfTheToken(t *testing.T) {
	env := newTestEnv(t)
	ctx, cancel := env.ctx()
	defer cancel()
	scope, err := env.api.TokenScope(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entity, sole := os.Getenv(envEntityID), scope.SoleEntity()
	if !liveMode || entity == "" {
		entity = sole
	}
	if entity == "" {
		t.Fatalf("the tenant's token covers the entities %v, and ZUORA_ENTITY_ID is unset: set it to the entity to test", scope.Entities)
	}
	// Without entity_id the requests work on the token's sole entity: the
	// same as entity only when the token covers it alone.
	spellings := []string{strings.ToUpper(entity), strings.ToLower(entity)}
	if strings.EqualFold(sole, entity) {
		spellings = append(spellings, "")
	}
	for _, legacy := range []bool{false, true} {
		name := "recorded by this release"
		if legacy {
			name = "recorded without the entity"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cli := newTerraformCLI(t, env, dir)
			cli.setEnv(envEntityID, spellings[len(spellings)-1])
			cli.destroyAtEnd()
			writeConfig(t, dir, hostSwitchSets(env, 2, 1))
			cli.run("apply", "-auto-approve", "-no-color")
			if legacy {
				editPrivate(t, cli, func(keys map[string]json.RawMessage) {
					keys[tenantPrivateKey], _ = json.Marshal(map[string]string{"host": env.url})
				})
			}
			for _, spelling := range spellings {
				cli.setEnv(envEntityID, spelling)
				for _, args := range [][]string{{"-refresh=false"}, nil} {
					if code, out := cli.planExit(args...); code != 0 {
						t.Fatalf("with ZUORA_ENTITY_ID=%q, plan %v proposes changes:\n%s", spelling, args, out)
					}
				}
			}
			cli.setEnv(envEntityID, strings.ToUpper(entity))
			cli.run("apply", "-refresh-only", "-auto-approve", "-no-color")
			cli.setEnv(envEntityID, spellings[len(spellings)-1])
			if code, out := cli.planExit("-refresh=false"); code != 0 {
				t.Fatalf("after a refresh with entity_id, a plan with ZUORA_ENTITY_ID=%q proposes changes:\n%s", spellings[len(spellings)-1], out)
			}
		})
	}
}

// TestAccRecords_destroyWithoutTenantRecord: state written before the
// tenant record existed (no record, no identity), the provider pointed at
// another host, `destroy -refresh=false`: the new host's 404 proves
// nothing, so the sets stay in state with an error saying to refresh
// against their tenant first or state rm them, and the plan warns of them.
func TestAccRecords_destroyWithoutTenantRecord(t *testing.T) {
	oldHost, newHost := newTestEnv(t), newOtherHost(t) // live: the tenant, then a local Zuora
	dir := t.TempDir()
	cli := switchingCLI(t, oldHost, dir)
	writeConfig(t, dir, hostSwitchSets(oldHost, 2, 1))
	cli.run("apply", "-auto-approve", "-no-color")
	before := stateAddresses(cli)
	stripPrivateState(t, cli) // sequence_set_guard_test.go

	cli.pointAt(newHost)
	out, err := cli.try("destroy", "-auto-approve", "-no-color", "-refresh=false")
	if err == nil {
		t.Fatalf("the destroy succeeded; want the sets kept:\n%s", out)
	}
	if !errRe("not found, and its tenant was never recorded", newHost.url, "proves nothing", "-refresh-only", "terraform state rm").MatchString(out) {
		t.Fatalf("the destroy failed without saying why the sets stay:\n%s", out)
	}
	if !errRe("has no record of its tenant", "-refresh=false").MatchString(out) {
		t.Fatalf("the destroy's plan did not warn of the sets without a tenant record:\n%s", out)
	}
	if got := stateAddresses(cli); !slices.Equal(got, before) {
		t.Fatalf("after the destroy the state holds %v, want %v", got, before)
	}
	for i := range 2 {
		if !oldHost.exists(oldHost.namePrefix + "-L" + string(rune('0'+i))) {
			t.Fatalf("the old host lost set %d", i)
		}
	}
}
