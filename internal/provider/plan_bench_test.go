package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"runtime"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// planResources is the number of resources of one plan in BenchmarkPlan100, as in the bench's
// plan figure.
const planResources = 100

// BenchmarkPlan100 replays, over the plugin protocol, the calls a terraform plan (with its
// refresh) makes for 100 existing, unchanged resources: ValidateResourceConfig,
// UpgradeResourceState, ReadResource and PlanResourceChange for each, ten at a time as
// terraform does. It plans camunda_webapp_backup (through the actuator backend on the
// reference server) and, in the same iteration, the smallest framework resource (two
// attributes, a read that changes nothing: the floor of any framework provider), and reports
// both and their ratio; terraform's own work and the process start are not in these figures.
func BenchmarkPlan100(b *testing.B) {
	ctx := context.Background()
	srv, err := server.Start(ctx, server.Config{
		Listen: "127.0.0.1:0", DataDir: b.TempDir(), Repository: testRepository, SeedDocuments: 5, SnapshotDelay: -1,
	})
	if err != nil {
		b.Fatalf("start the reference server: %v", err)
	}
	b.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	client, err := actuator.New(actuator.Config{URL: srv.URL()})
	if err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= planResources; i++ {
		if _, err := client.Create(ctx, backupapi.ID(i)); err != nil {
			b.Fatalf("create backup %d: %v", i, err)
		}
		conformance.WaitForState(b, client, backupapi.ID(i), backupapi.StateCompleted)
	}
	camunda := newPlanReplay(b, planResources, "camunda_webapp_backup", newProtocol6Server("bench", noEnv),
		func(typ tftypes.Type, i int) tftypes.Value {
			return objectOf(typ, map[string]tftypes.Value{"backup_id": number(int64(i))})
		}, srv.URL())
	floor := newPlanReplay(b, planResources, "floor_thing", providerserver.NewProtocol6WithError(floorProvider{}),
		func(typ tftypes.Type, i int) tftypes.Value {
			return objectOf(typ, map[string]tftypes.Value{"number": number(int64(i))})
		}, "")
	var camundaTime, floorTime time.Duration
	var camundaAllocs, floorAllocs uint64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t, a := floor.plan(b)
		floorTime, floorAllocs = floorTime+t, floorAllocs+a
		t, a = camunda.plan(b)
		camundaTime, camundaAllocs = camundaTime+t, camundaAllocs+a
	}
	n := float64(b.N)
	b.ReportMetric(float64(camundaTime.Milliseconds())/n, "camunda-ms/plan")
	b.ReportMetric(float64(floorTime.Milliseconds())/n, "floor-ms/plan")
	b.ReportMetric(float64(camundaTime)/float64(floorTime), "camunda/floor")
	b.ReportMetric(float64(camundaAllocs)/n/planResources, "camunda-allocs/resource")
	b.ReportMetric(float64(floorAllocs)/n/planResources, "floor-allocs/resource")
}

// TestPlanManyBackupsAtOnce replays two plans of many unchanged backups, ten resources at a
// time as terraform plans them, through the provider's protocol server: every resource is
// planned unchanged, every call of it is answered beneath the framework, and (with -race)
// the calls share the server's state safely.
func TestPlanManyBackupsAtOnce(t *testing.T) {
	parallel(t)
	const backups = 24
	ctx := context.Background()
	b := newTestBackend(t, backendActuator)
	for i := 1; i <= backups; i++ {
		if _, err := b.client.Create(ctx, backupapi.ID(i)); err != nil {
			t.Fatalf("create backup %d: %v", i, err)
		}
		conformance.WaitForState(t, b.client, backupapi.ID(i), backupapi.StateCompleted)
	}
	replay := newPlanReplay(t, backups, "camunda_webapp_backup", newProtocol6Server("test", noEnv),
		func(typ tftypes.Type, i int) tftypes.Value {
			return objectOf(typ, map[string]tftypes.Value{"backup_id": number(int64(i))})
		}, b.url)
	server, ok := replay.server.(*backupProtocolServer)
	if !ok {
		t.Fatalf("the provider is served by %T", replay.server)
	}
	for plan := 1; plan <= 2; plan++ {
		before := server.answered.Load()
		replay.plan(t) // fails on any diagnostic, replacement or planned change
		// validate, upgrade, read and plan of every backup
		if got, want := server.answered.Load()-before, int64(4*backups); got != want {
			t.Errorf("plan %d: %d calls answered beneath the framework, want %d", plan, got, want)
		}
	}
}

// planReplay holds one provider server and the state of its resources between plans.
type planReplay struct {
	server   tfprotov6.ProviderServer
	typeName string
	typ      tftypes.Type
	version  int64
	configs  []*tfprotov6.DynamicValue
	states   []json.RawMessage // as terraform stores them
}

// newPlanReplay configures the server (the actuator block with url when url is not empty)
// and creates its resources through ImportResourceState (camunda) or ApplyResourceChange.
func newPlanReplay(b testing.TB, n int, typeName string, newServer func() (tfprotov6.ProviderServer, error),
	config func(tftypes.Type, int) tftypes.Value, url string) *planReplay {
	b.Helper()
	ctx := context.Background()
	srv, err := newServer()
	if err != nil {
		b.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasErrors(schemas.Diagnostics) {
		b.Fatalf("GetProviderSchema: %v %v", err, diagText(schemas.Diagnostics))
	}
	providerType := schemas.Provider.ValueType()
	providerConfig := objectOf(providerType, nil)
	if url != "" {
		blockType := providerType.(tftypes.Object).AttributeTypes[backendActuator]
		providerConfig = objectOf(providerType, map[string]tftypes.Value{backendActuator: objectOf(blockType,
			map[string]tftypes.Value{"url": tftypes.NewValue(tftypes.String, url)})})
	}
	pdv, err := tfprotov6.NewDynamicValue(providerType, providerConfig)
	if err != nil {
		b.Fatal(err)
	}
	if resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &pdv}); err != nil || hasErrors(resp.Diagnostics) {
		b.Fatalf("ConfigureProvider: %v %v", err, diagText(resp.Diagnostics))
	}
	r := &planReplay{server: srv, typeName: typeName, typ: schemas.ResourceSchemas[typeName].ValueType(),
		version: schemas.ResourceSchemas[typeName].Version}
	for i := 1; i <= n; i++ {
		cfg := config(r.typ, i)
		dv, err := tfprotov6.NewDynamicValue(r.typ, cfg)
		if err != nil {
			b.Fatal(err)
		}
		r.configs = append(r.configs, &dv)
		var state *tfprotov6.DynamicValue
		if url != "" {
			imp, err := srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: fmt.Sprint(i)})
			if err != nil || hasErrors(imp.Diagnostics) || len(imp.ImportedResources) != 1 {
				b.Fatalf("ImportResourceState: %v %v", err, diagText(imp.Diagnostics))
			}
			read, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: imp.ImportedResources[0].State})
			if err != nil || hasErrors(read.Diagnostics) {
				b.Fatalf("ReadResource: %v %v", err, diagText(read.Diagnostics))
			}
			state = read.NewState
		} else {
			planned, err := srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: typeName, PriorState: nullDynamic(b, r.typ), ProposedNewState: &dv, Config: &dv,
			})
			if err != nil || hasErrors(planned.Diagnostics) {
				b.Fatalf("PlanResourceChange: %v %v", err, diagText(planned.Diagnostics))
			}
			applied, err := srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
				TypeName: typeName, PriorState: nullDynamic(b, r.typ), PlannedState: planned.PlannedState, Config: &dv,
			})
			if err != nil || hasErrors(applied.Diagnostics) {
				b.Fatalf("ApplyResourceChange: %v %v", err, diagText(applied.Diagnostics))
			}
			state = applied.NewState
		}
		r.states = append(r.states, stateJSON(b, r.typ, state))
	}
	return r
}

func nullDynamic(b testing.TB, typ tftypes.Type) *tfprotov6.DynamicValue {
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}

// plan runs the calls of one plan, ten resources at a time, and returns its duration and
// the allocations of the process meanwhile. Every plan must find the resources unchanged.
func (r *planReplay) plan(b testing.TB) (time.Duration, uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	errs := make(chan error, len(r.configs))
	sem := make(chan struct{}, 10)
	for i := range len(r.configs) {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			errs <- r.planOne(i)
		}()
	}
	for range len(r.configs) {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	return took, after.Mallocs - before.Mallocs
}

// planOne is what terraform asks the provider about resource i in a plan.
func (r *planReplay) planOne(i int) error {
	ctx := context.Background()
	cfg := r.configs[i]
	if v, err := r.server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: r.typeName, Config: cfg}); err != nil || hasErrors(v.Diagnostics) {
		return fmt.Errorf("ValidateResourceConfig: %v %v", err, diagText(v.Diagnostics))
	}
	up, err := r.server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: r.typeName, Version: r.version, RawState: &tfprotov6.RawState{JSON: r.states[i]},
	})
	if err != nil || hasErrors(up.Diagnostics) {
		return fmt.Errorf("UpgradeResourceState: %v %v", err, diagText(up.Diagnostics))
	}
	read, err := r.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: r.typeName, CurrentState: up.UpgradedState})
	if err != nil || hasErrors(read.Diagnostics) {
		return fmt.Errorf("ReadResource: %v %v", err, diagText(read.Diagnostics))
	}
	planned, err := r.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: r.typeName, PriorState: read.NewState, ProposedNewState: read.NewState, Config: cfg,
	})
	if err != nil || hasErrors(planned.Diagnostics) {
		return fmt.Errorf("PlanResourceChange: %v %v", err, diagText(planned.Diagnostics))
	}
	if len(planned.RequiresReplace) > 0 {
		return fmt.Errorf("resource %d planned for replacement", i+1)
	}
	prior, err := read.NewState.Unmarshal(r.typ)
	if err != nil {
		return err
	}
	plan, err := planned.PlannedState.Unmarshal(r.typ)
	if err != nil {
		return err
	}
	if !plan.Equal(prior) {
		return fmt.Errorf("resource %d: planned %v, prior %v", i+1, plan, prior)
	}
	return nil
}

// stateJSON is a state as terraform stores it in JSON.
func stateJSON(b testing.TB, typ tftypes.Type, dv *tfprotov6.DynamicValue) json.RawMessage {
	v, err := dv.Unmarshal(typ)
	if err != nil {
		b.Fatal(err)
	}
	out, err := json.Marshal(jsonOf(b, v))
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// jsonOf is v as encoding/json marshals it the way terraform writes it.
func jsonOf(b testing.TB, v tftypes.Value) any {
	if v.IsNull() {
		return nil
	}
	typ := v.Type()
	switch {
	case typ.Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case typ.Is(tftypes.Bool):
		var x bool
		_ = v.As(&x)
		return x
	case typ.Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		return json.Number(f.Text('f', -1))
	case typ.Is(tftypes.List{}):
		var elems []tftypes.Value
		_ = v.As(&elems)
		out := make([]any, len(elems))
		for i, e := range elems {
			out[i] = jsonOf(b, e)
		}
		return out
	case typ.Is(tftypes.Object{}):
		var attrs map[string]tftypes.Value
		_ = v.As(&attrs)
		out := map[string]any{}
		for k, a := range attrs {
			out[k] = jsonOf(b, a)
		}
		return out
	}
	b.Fatalf("no JSON form for %s", typ)
	return nil
}

// floorProvider is the smallest framework provider, as cmd/bench/emptyprovider: one resource
// of two attributes whose read changes nothing and calls nothing.
type floorProvider struct{}

func (floorProvider) Metadata(_ context.Context, _ fwprovider.MetadataRequest, resp *fwprovider.MetadataResponse) {
	resp.TypeName = "floor"
}
func (floorProvider) Schema(context.Context, fwprovider.SchemaRequest, *fwprovider.SchemaResponse) {}
func (floorProvider) Configure(context.Context, fwprovider.ConfigureRequest, *fwprovider.ConfigureResponse) {
}
func (floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return floorThing{} }}
}
func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type floorThing struct{}

type floorThingModel struct {
	ID     types.String `tfsdk:"id"`
	Number types.Int64  `tfsdk:"number"`
}

func (floorThing) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_thing"
}

func (floorThing) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":     schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"number": schema.Int64Attribute{Required: true},
	}}
}

func (floorThing) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m floorThingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = types.StringValue(m.Number.String())
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (floorThing) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m floorThingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (floorThing) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m floorThingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (floorThing) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
