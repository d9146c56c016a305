package server

import (
	"fmt"
	"path/filepath"
	"strings"
)

// The values of Config.ZeebeBackupStore (Camunda's camunda.data.backup.store; the cloud
// stores are not emulated).
const (
	ZeebeStoreFilesystem = "FILESYSTEM"
	ZeebeStoreNone       = "NONE"
)

// componentDefaults validates and fills in the settings of the emulated Zeebe and Optimize.
func (cfg *Config) componentDefaults() error {
	if cfg.Partitions == 0 {
		cfg.Partitions = DefaultPartitions
	}
	if cfg.Partitions < 1 || cfg.Partitions > 1000 {
		return fmt.Errorf("the partition count must be between 1 and 1000, got %d", cfg.Partitions)
	}
	if cfg.ZeebeDataDir == "" && cfg.DataDir != "" {
		cfg.ZeebeDataDir = filepath.Join(cfg.DataDir, "zeebe")
	}
	cfg.ZeebeBackupStore = strings.ToUpper(cfg.ZeebeBackupStore)
	switch cfg.ZeebeBackupStore {
	case "":
		cfg.ZeebeBackupStore = ZeebeStoreNone
		if cfg.ZeebeBackupPath != "" || cfg.ZeebeDataDir != "" {
			cfg.ZeebeBackupStore = ZeebeStoreFilesystem
		}
	case ZeebeStoreNone, ZeebeStoreFilesystem:
	default:
		return fmt.Errorf("the Zeebe backup store must be %s or %s, got %q", ZeebeStoreFilesystem, ZeebeStoreNone, cfg.ZeebeBackupStore)
	}
	if cfg.ZeebeBackupStore == ZeebeStoreFilesystem && cfg.ZeebeBackupPath == "" {
		if cfg.ZeebeDataDir == "" {
			return fmt.Errorf("the %s Zeebe backup store needs a base path or a Zeebe data directory", ZeebeStoreFilesystem)
		}
		cfg.ZeebeBackupPath = filepath.Join(cfg.ZeebeDataDir, "backup-store")
	}
	if cfg.ZeebeBackupStore == ZeebeStoreNone {
		cfg.ZeebeBackupPath = ""
	}
	switch cfg.StandaloneAlias {
	case "":
		cfg.StandaloneAlias = AliasWebapps
	case AliasWebapps, AliasZeebe:
	default:
		return fmt.Errorf("the standalone alias must be %q or %q, got %q", AliasWebapps, AliasZeebe, cfg.StandaloneAlias)
	}
	if cfg.OptimizeListen != "" {
		if err := checkListen("Optimize listen", cfg.OptimizeListen, cfg.AllowRemote); err != nil {
			return err
		}
	}
	return nil
}
