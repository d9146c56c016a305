package main

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/provider"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// restorePairs is how many restores of each way one run of restoreThroughAction times.
const restorePairs = 4

// restoreThroughAction compares a restore by the camunda_webapp_restore action with the same
// restore done by hand: for each part, a delete of its indices and a blocking _restore.
var restoreThroughAction = experiment{
	Title: "Restore through the action",
	Intro: "A backup of the Camunda 8.8 index set with one archived index (6 parts) and the documents of the settings " +
		"below is restored, in every run, twice on the embedded Elasticsearch: by the camunda_webapp_restore action " +
		"(invoked through the provider's plugin protocol, as terraform does: backup state and version check, the " +
		"indices of each part read from its snapshot, deleted, the part restored and its indices checked), and by a loop " +
		"of raw calls (for each part: delete its indices by name, POST _restore with wait_for_completion). Every run " +
		"restores four times each way, alternating which goes first; the figures are the means, the ratio that of the sums.",
	Metrics: []metric{
		{Name: "restore by the action", Unit: "ms"},
		{Name: "restore by raw calls", Unit: "ms"},
		{Name: "action / raw calls", Unit: "×", Reference: "goal ≤ 1.10"},
	},
	Setup: func(ctx context.Context, l *lab) (trial, func(), error) {
		srv, stop, err := l.startServer(ctx, server.Config{SeedDocuments: l.Settings.Documents})
		if err != nil {
			return nil, nil, err
		}
		fail := func(err error) (trial, func(), error) { stop(); return nil, nil, err }
		if err := addArchive(ctx, srv.ElasticsearchURL()); err != nil {
			return fail(err)
		}
		api, err := actuator.New(actuator.Config{URL: srv.URL()})
		if err != nil {
			return fail(err)
		}
		const id = backupapi.ID(1)
		if _, err := api.Create(ctx, id); err != nil {
			return fail(fmt.Errorf("create: %w", err))
		}
		reads, err := driver(srv.ElasticsearchURL())
		if err != nil {
			return fail(err)
		}
		b, err := waitCompleted(ctx, reads, id)
		if err != nil {
			return fail(err)
		}
		action, err := newRestoreInvoker(ctx, srv.ElasticsearchURL())
		if err != nil {
			return fail(err)
		}
		raw := func(ctx context.Context) error {
			for _, name := range b.SnapshotNames() {
				indices, err := reads.SnapshotIndices(ctx, name)
				if err != nil {
					return err
				}
				names := make([]string, len(indices))
				for i, ix := range indices {
					names[i] = ix.Name
				}
				if err := reads.DeleteIndices(ctx, names); err != nil {
					return err
				}
				if err := reads.RestoreSnapshot(ctx, name); err != nil {
					return err
				}
			}
			return nil
		}
		timed := func(ctx context.Context, restore func(context.Context) error) (time.Duration, error) {
			start := time.Now()
			err := restore(ctx)
			return time.Since(start), err
		}
		byAction := func(ctx context.Context) error { return action(ctx, id) }
		// Each run restores restorePairs times by each way, alternating which goes first, and
		// compares the sums: one restore's time varies with the disk's flushes.
		run := func(ctx context.Context, _ int) ([]float64, error) {
			var a, r time.Duration
			for i := range restorePairs {
				first, second := byAction, raw
				if i%2 == 1 {
					first, second = raw, byAction
				}
				d1, err1 := timed(ctx, first)
				d2, err2 := timed(ctx, second)
				if err := errors.Join(err1, err2); err != nil {
					return nil, err
				}
				if i%2 == 1 {
					d1, d2 = d2, d1
				}
				a, r = a+d1, r+d2
			}
			return []float64{millis(a / restorePairs), millis(r / restorePairs), float64(a) / float64(r)}, nil
		}
		return run, func() { _ = reads.Close(); stop() }, nil
	},
}

// waitCompleted polls backup id until it has finished, and fails unless it completed.
func waitCompleted(ctx context.Context, c backupapi.Client, id backupapi.ID) (backupapi.Backup, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	for {
		b, err := c.Get(ctx, id)
		if err == nil && b.State.Terminal() {
			if b.State != backupapi.StateCompleted {
				return b, fmt.Errorf("backup %s is %s", id, b.State)
			}
			return b, nil
		}
		select {
		case <-ctx.Done():
			return b, fmt.Errorf("backup %s did not finish: %w", id, ctx.Err())
		case <-time.After(20 * time.Millisecond): // polling interval
		}
	}
}

// newRestoreInvoker serves the provider in-process, configures it with the elasticsearch
// backend at esURL, and returns a function that invokes camunda_webapp_restore as terraform
// does.
func newRestoreInvoker(ctx context.Context, esURL string) (func(context.Context, backupapi.ID) error, error) {
	srv, err := provider.NewProtocol6Server("bench")()
	if err != nil {
		return nil, err
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	providerType := schemas.Provider.ValueType()
	providerObject, ok := providerType.(tftypes.Object)
	if !ok {
		return nil, errors.New("the provider's schema is not an object")
	}
	esType := providerObject.AttributeTypes["elasticsearch"]
	config, err := dynamicOf(providerType, map[string]tftypes.Value{"elasticsearch": objectOf(esType, map[string]tftypes.Value{
		"urls":       tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{tftypes.NewValue(tftypes.String, esURL)}),
		"repository": tftypes.NewValue(tftypes.String, server.DefaultRepository),
	})})
	if err != nil {
		return nil, err
	}
	configured, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: config})
	if err != nil {
		return nil, err
	}
	if err := diagnosticsError(configured.Diagnostics); err != nil {
		return nil, err
	}
	actionType := schemas.ActionSchemas["camunda_webapp_restore"].Schema.ValueType()
	actions, ok := srv.(interface {
		InvokeAction(context.Context, *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error)
	})
	if !ok {
		return nil, errors.New("the provider server serves no actions")
	}
	return func(ctx context.Context, id backupapi.ID) error {
		n := tftypes.NewValue(tftypes.Number, new(big.Float).SetInt64(int64(id)))
		cfg, err := dynamicOf(actionType, map[string]tftypes.Value{"backup_id": n, "confirm_backup_id": n})
		if err != nil {
			return err
		}
		resp, err := actions.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: "camunda_webapp_restore", Config: cfg})
		if err != nil {
			return err
		}
		var final error
		for e := range resp.Events {
			if done, ok := e.Type.(tfprotov6.CompletedInvokeActionEventType); ok {
				final = diagnosticsError(done.Diagnostics)
			}
		}
		return final
	}, nil
}

// objectOf is an object of type typ with the given attributes, the others null.
func objectOf(typ tftypes.Type, values map[string]tftypes.Value) tftypes.Value {
	attrs := map[string]tftypes.Value{}
	object, _ := typ.(tftypes.Object) // schemas' value types are objects
	for name, at := range object.AttributeTypes {
		if v, ok := values[name]; ok {
			attrs[name] = v
		} else {
			attrs[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, attrs)
}

func dynamicOf(typ tftypes.Type, values map[string]tftypes.Value) (*tfprotov6.DynamicValue, error) {
	dv, err := tfprotov6.NewDynamicValue(typ, objectOf(typ, values))
	return &dv, err
}

// diagnosticsError is the errors among diags, nil when there are none.
func diagnosticsError(diags []*tfprotov6.Diagnostic) error {
	var msgs []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}
