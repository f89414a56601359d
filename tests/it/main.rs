//! keyaudit's integration tests, one binary (one link instead of one per file): each module
//! drives the real `keyaudit` binary or the library on real inputs made at test time.

mod common;

mod action;
mod architecture;
mod audit;
mod baseline;
mod ci_gate;
mod cli;
mod cli_ux;
mod config;
mod context;
mod crypto;
mod fixtures;
mod fuzz_regressions;
mod git_cli;
mod git_history;
mod gitlab;
mod hook;
mod hostile_a;
mod hostile_b;
mod k8s;
mod policy;
mod progress;
mod rules;
