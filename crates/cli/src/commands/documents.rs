//! `motcua verify FILE` (offline: the file, its `.p7s` seal and the trusted roots, no server)
//! and `motcua keys …` (the agencies' signing keys).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use motcua_service::Acting;
use motcua_signing::{Credential, cert, seal};
use motcua_storage::StoreConfig;

/// Arguments of `motcua verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The document (a PDF issued by motcua).
    file: PathBuf,
    /// Its seal; default: FILE.p7s beside it.
    #[arg(long)]
    seal: Option<PathBuf>,
    /// Trusted root certificates (PEM); default: the roots recorded in the database.
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Print JSON for machines.
    #[arg(long)]
    json: bool,
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path)
        .with_context(|| format!("không đọc được tệp / cannot read {}", path.display()))
}

#[allow(clippy::disallowed_methods)]
fn wall_clock() -> DateTime<Utc> {
    // The check is of now, as openssl's is; the CLI has no service clock without a database.
    Utc::now()
}

/// Verifies a document offline; fails (exit code 1) when it is not genuine.
pub async fn verify(args: VerifyArgs, config: &StoreConfig) -> anyhow::Result<()> {
    let content = read(&args.file)?;
    let seal_path = args.seal.clone().unwrap_or_else(|| {
        let mut name = args.file.clone().into_os_string();
        name.push(".p7s");
        PathBuf::from(name)
    });
    let p7s = read(&seal_path)?;
    let roots = match &args.ca {
        Some(path) => cert::certificates_from_pem_or_der(&read(path)?)?,
        None => crate::services(config).await?.trusted_roots().await?,
    };
    // A certified copy carries two signatures (certifier and agency): all must verify.
    let outcome = seal::verify_jointly(&content, &p7s, &roots, wall_clock());
    let mut out = std::io::stdout().lock();
    match &outcome {
        Ok(signers) => {
            let sha256 = motcua_signing::sha256_hex(&content);
            if args.json {
                let list: Vec<_> = signers
                    .iter()
                    .map(|s| {
                        serde_json::json!({
                            "subject": s.signer.subject,
                            "fingerprint": s.signer.fingerprint,
                            "root": s.root.subject,
                            "signed_at": s.signing_time,
                        })
                    })
                    .collect();
                // `signer` and its siblings name the first signature, as before joint seals;
                // `signers` lists them all (a certified copy: certifier and agency).
                serde_json::to_writer_pretty(
                    &mut out,
                    &serde_json::json!({
                        "genuine": true,
                        "signer": signers.first().map(|s| s.signer.subject.clone()),
                        "signer_fingerprint": signers.first().map(|s| s.signer.fingerprint.clone()),
                        "root": signers.first().map(|s| s.root.subject.clone()),
                        "signed_at": signers.first().map(|s| s.signing_time),
                        "signers": list,
                        "sha256": sha256,
                    }),
                )?;
                writeln!(out)?;
            } else {
                writeln!(out, "HỢP LỆ / GENUINE: {}", args.file.display())?;
                for s in signers {
                    writeln!(
                        out,
                        "  ký bởi / signed by: {}\n  lúc / at: {}\n  chứng thư gốc / root: {}",
                        s.signer.subject, s.signing_time, s.root.subject,
                    )?;
                }
                writeln!(out, "  SHA-256: {sha256}")?;
            }
            Ok(())
        }
        Err(e) => {
            if args.json {
                serde_json::to_writer_pretty(
                    &mut out,
                    &serde_json::json!({ "genuine": false, "reason": e.to_string() }),
                )?;
                writeln!(out)?;
            }
            anyhow::bail!("KHÔNG HỢP LỆ / NOT GENUINE: {}: {e}", args.file.display())
        }
    }
}

/// `motcua keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the trusted roots and the agencies' certificates.
    List,
    /// Retire an agency's key and make a new one from this installation's root.
    Rotate {
        /// The agency's identifier code.
        agency: String,
    },
    /// Record an agency's certificate and key issued by a licensed authority, with the
    /// authority's root certificate(s), retiring the agency's earlier keys.
    Import {
        /// The agency's identifier code.
        agency: String,
        /// The agency's certificate (PEM or DER).
        #[arg(long)]
        cert: PathBuf,
        /// Its private key, PKCS#8 (PEM or DER; ECDSA P-256 or RSA).
        #[arg(long)]
        key: PathBuf,
        /// The authority's root certificate(s), PEM.
        #[arg(long)]
        ca: PathBuf,
    },
}

/// Runs a `keys` command.
pub async fn keys(command: KeysCommand, config: &StoreConfig) -> anyhow::Result<()> {
    let services = crate::services(config).await?;
    let acting = Acting::cli("keys");
    let mut out = std::io::stdout().lock();
    match command {
        KeysCommand::List => {
            for k in services.signing_keys().await? {
                let owner = if k.owner.is_empty() {
                    "(gốc / root)"
                } else {
                    &k.owner
                };
                let state = match (k.retired_at, k.wrapped_key.is_some()) {
                    (Some(at), _) => format!("thôi dùng / retired {at}"),
                    (None, true) => "đang dùng / in use".into(),
                    (None, false) => "tin cậy / trusted".into(),
                };
                writeln!(
                    out,
                    "{owner}\t{}\t{} → {}\t{state}\t{}",
                    k.subject, k.not_before, k.not_after, k.fingerprint
                )?;
            }
        }
        KeysCommand::Rotate { agency } => {
            let row = services.rotate_signing_key(&acting, &agency).await?;
            writeln!(out, "{agency}: {} ({})", row.subject, row.fingerprint)?;
        }
        KeysCommand::Import {
            agency,
            cert: cert_path,
            key,
            ca,
        } => {
            let credential = Credential {
                certificate: cert::certificate_from_pem_or_der(&read(&cert_path)?)?,
                private_key: cert::private_key_from_pem_or_der(&read(&key)?)?,
            };
            let roots = cert::certificates_from_pem_or_der(&read(&ca)?)?;
            let row = services
                .import_signing_key(&acting, &agency, &credential, &roots)
                .await?;
            writeln!(out, "{agency}: {} ({})", row.subject, row.fingerprint)?;
        }
    }
    Ok(())
}
