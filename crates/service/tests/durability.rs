//! An acknowledged event survives `kill -9` of the process (ADR 0003).
//!
//! The test re-runs its own binary as a child that records dossiers on SQLite and prints each
//! code once its transaction has committed; the parent kills it with SIGKILL mid-stream, then
//! reopens the database and finds every acknowledged dossier, consistent with its log.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

use motcua_domain::dossier::DossierCode;
use motcua_domain::event::{Actor, Channel, Role};
use motcua_service::bench::{prepare, sample_dossier};
use motcua_service::{Acting, Services, SystemClock};
use motcua_storage::{Durability, Store, StoreConfig};

const CHILD: &str = "MOTCUA_DURABILITY_CHILD_DB";

fn config(url: &str) -> StoreConfig {
    StoreConfig {
        url: url.to_owned(),
        durability: Durability::Full,
        max_connections: 2,
    }
}

/// The child: records dossiers forever, printing each code after its commit.
async fn write_until_killed(url: &str) {
    let store = Store::open(&config(url)).await.unwrap();
    let services = Services::new(store, Arc::new(SystemClock));
    prepare(&services).await.unwrap();
    let citizen = Acting {
        actor: Actor {
            id: "u:citizen".into(),
            role: Role::Citizen,
            agency: None,
        },
        channel: Channel::Online,
        request_id: None,
    };
    let mut stdout = std::io::stdout().lock();
    loop {
        let dossier = services
            .submit_dossier(&citizen, sample_dossier().unwrap(), false)
            .await
            .unwrap();
        writeln!(stdout, "{}", dossier.code()).unwrap();
        stdout.flush().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_dossiers_survive_kill_9() {
    if let Ok(url) = std::env::var(CHILD) {
        write_until_killed(&url).await;
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/motcua.sqlite", dir.path().display());
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "acknowledged_dossiers_survive_kill_9",
            "--exact",
            "--nocapture",
        ])
        .env(CHILD, &url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acknowledged = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while acknowledged.len() < 200 {
        let line = lines.next().unwrap().unwrap();
        if let Ok(code) = line.trim().parse::<DossierCode>() {
            acknowledged.push(code);
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no checkpoint, no clean close
    child.wait().unwrap();

    let store = Store::open(&config(&url)).await.unwrap();
    let services = Services::new(store, Arc::new(SystemClock));
    for code in &acknowledged {
        let dossier = services.find_dossier(code).await.unwrap();
        assert_eq!(dossier.code(), code);
    }
    let report = services.replay_dossiers(false).await.unwrap();
    assert!(report.dossiers >= acknowledged.len() as u64);
    assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
}
