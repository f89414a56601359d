//! The shared model, at the bottom of the flow: the types every stage passes on and every
//! report reads — findings and their judgements, fingerprints, what a key or certificate is,
//! git provenance, problems and rule metadata. It imports no stage, so that each stage can
//! depend on it and on the stage before it, and nothing else.

pub mod ciphertext;
pub mod crypto;
pub mod finding;
pub mod fingerprint;
pub mod git;
pub mod path_text;
pub mod problem;
pub mod roots;
pub mod rule;
pub mod severity;
pub mod step;

pub use finding::{Finding, GitProvenance, Location, MASK, Position, redact};
pub use fingerprint::{
    FINGERPRINT_DOMAIN, FINGERPRINT_KEY_ENV, FINGERPRINT_ROUNDS, Fingerprint, NotAFingerprint,
};
pub use git::{GitCommit, GitIntroduction, GitScanSummary, GitSubmodule};
pub use problem::{Problem, ProblemKind};
pub use rule::RuleInfo;
pub use severity::{Context, Proof, Severity};
pub use step::Step;
