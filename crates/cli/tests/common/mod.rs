//! The built `motcua` binary pointed at a throw-away SQLite file, for CLI tests.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]
#![allow(clippy::expect_used, reason = "a failed step fails the test")]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// A temporary database and the directory holding it.
pub struct Cli {
    dir: tempfile::TempDir,
    /// The database URL the binary is given.
    pub url: String,
}

impl Cli {
    /// A fresh, empty database.
    pub fn new() -> Cli {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}/motcua.sqlite", dir.path().display());
        Cli { dir, url }
    }

    /// A path in the temporary directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `motcua --database … ARGS` with `stdin` as standard input.
    pub fn run_with_input(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["--database", &self.url, "--sqlite-durability", "normal"])
            .args(args)
            .env_remove("MOTCUA_DATABASE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start motcua");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait for motcua")
    }

    /// Runs `motcua --database … ARGS`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_input(args, "")
    }

    /// Runs a command that must succeed; returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "motcua {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Runs a command that must fail; returns its standard error.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "motcua {args:?} should fail");
        String::from_utf8(out.stderr).expect("utf-8 output")
    }

    /// Runs a command that must succeed and print JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).expect("JSON output")
    }
}
