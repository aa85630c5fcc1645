//! `examd watchlist list|add|remove`: the watch-list of a running daemon from the command line, as an admin
//! (add, remove) or any reader (list). It talks to `/api/v1/watchlist` with the account's session; the password
//! is read from `EXAMD_PASSWORD`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use base64::Engine;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

/// The daemon and the account.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// The running daemon, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    pub server: String,
    /// The account to log in as (its password in EXAMD_PASSWORD).
    #[arg(long)]
    pub user: String,
}

/// What `examd watchlist` does.
#[derive(Debug, Subcommand)]
pub enum WatchlistCommand {
    /// List every entry (active, expired, removed); `--hits` adds the recent hits and duplicate alarms.
    List {
        #[command(flatten)]
        server: ServerArgs,
        /// Also the recent hits and duplicate-applicant alarms.
        #[arg(long)]
        hits: bool,
        /// Print the API's JSON.
        #[arg(long)]
        json: bool,
    },
    /// Put a person on the watch-list (admin).
    Add {
        #[command(flatten)]
        server: ServerArgs,
        /// stand_in (代考), forged_documents (伪造证件), exam_ban (禁考期, needs --until) or other.
        #[arg(long)]
        reason: String,
        /// An exam ban's last day, YYYY-MM-DD.
        #[arg(long)]
        until: Option<String>,
        /// ID-card number, if known.
        #[arg(long)]
        id_number: Option<String>,
        /// Name, if known.
        #[arg(long)]
        name: Option<String>,
        /// Free text (case number, what happened).
        #[arg(long)]
        note: Option<String>,
        /// An ISO/IEC 19794-2 or ANSI/INCITS 378 template file (repeat for more fingers).
        #[arg(long = "template")]
        templates: Vec<PathBuf>,
        /// Copy the templates of an enrolled candidate instead: candidate:<id>.
        #[arg(long)]
        from_person: Option<String>,
    },
    /// Remove an entry, giving the reason (admin); it stays in the log and the list as removed.
    Remove {
        #[command(flatten)]
        server: ServerArgs,
        /// The entry, e.g. WL-00001.
        entry: String,
        /// Why it is removed.
        #[arg(long)]
        reason: String,
    },
}

struct Session {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

async fn message(r: reqwest::Response) -> String {
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    let m = v["message_en"]
        .as_str()
        .or(v["message"].as_str())
        .unwrap_or("no message");
    format!("{status}: {m}")
}

impl Session {
    async fn open(a: &ServerArgs) -> anyhow::Result<Session> {
        let password = std::env::var("EXAMD_PASSWORD").map_err(|_| {
            anyhow::anyhow!("--user {} needs the password in EXAMD_PASSWORD", a.user)
        })?;
        let base = a.server.trim_end_matches('/').to_owned();
        let http = reqwest::Client::new();
        let r = http
            .post(format!("{base}/api/v1/login"))
            .json(&json!({ "name": a.user, "password": password }))
            .send()
            .await
            .with_context(|| format!("--server {}: logging in", a.server))?;
        if !r.status().is_success() {
            bail!(
                "--server {}: login as {} refused ({})",
                a.server,
                a.user,
                message(r).await
            );
        }
        let cookie = r
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("--server {}: login gave no session", a.server))?;
        Ok(Session { http, base, cookie })
    }

    async fn send(&self, b: reqwest::RequestBuilder, what: &str) -> anyhow::Result<Value> {
        let r = b
            .header(reqwest::header::COOKIE, &self.cookie)
            .send()
            .await
            .with_context(|| format!("{}: {what}", self.base))?;
        if !r.status().is_success() {
            bail!("{what} refused ({})", message(r).await);
        }
        Ok(r.json().await?)
    }

    async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.send(self.http.get(format!("{}{path}", self.base)), path)
            .await
    }

    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.send(
            self.http.post(format!("{}{path}", self.base)).json(&body),
            path,
        )
        .await
    }
}

/// One entry as a line.
fn line(e: &Value) -> String {
    let s = |k: &str| e[k].as_str().unwrap_or("-").to_owned();
    format!(
        "{}\t{}\t{}/{}\t{}\t{}\tuntil {}\t{} templates\tadded by {}",
        s("id"),
        s("status"),
        s("reason_zh"),
        s("reason_en"),
        s("name"),
        s("id_number"),
        s("until"),
        e["templates"],
        s("added_by"),
    )
}

/// Runs `examd watchlist …`.
pub async fn run(cmd: WatchlistCommand) -> anyhow::Result<std::process::ExitCode> {
    match cmd {
        WatchlistCommand::List { server, hits, json } => {
            let s = Session::open(&server).await?;
            let entries = s.get("/api/v1/watchlist/entries").await?;
            let found = if hits {
                Some(s.get("/api/v1/watchlist/hits").await?)
            } else {
                None
            };
            if json {
                println!(
                    "{}",
                    json!({ "entries": entries["entries"], "hits": found })
                );
                return Ok(std::process::ExitCode::SUCCESS);
            }
            for e in entries["entries"].as_array().into_iter().flatten() {
                println!("{}", line(e));
            }
            if let Some(h) = found {
                for h in h["hits"].as_array().into_iter().flatten() {
                    println!(
                        "hit\t{}\t{}\tscore {}\t{}",
                        h["seq"], h["entry"], h["score"], h["place"]
                    );
                }
                for d in h["duplicates"].as_array().into_iter().flatten() {
                    println!(
                        "duplicate\t{}\t{} matches {}\tscore {}",
                        d["seq"], d["person"], d["matched"], d["score"]
                    );
                }
            }
        }
        WatchlistCommand::Add {
            server,
            reason,
            until,
            id_number,
            name,
            note,
            templates,
            from_person,
        } => {
            let mut b64 = Vec::new();
            for p in &templates {
                let bytes =
                    std::fs::read(p).with_context(|| format!("--template {}", p.display()))?;
                scoring::Template::from_standard_bytes(&bytes)
                    .map_err(|e| anyhow::anyhow!("--template {}: {e}", p.display()))?;
                b64.push(base64::engine::general_purpose::STANDARD.encode(bytes));
            }
            let s = Session::open(&server).await?;
            let e = s
                .post(
                    "/api/v1/watchlist/entries",
                    json!({
                        "reason": reason, "until": until, "id_number": id_number, "name": name, "note": note,
                        "templates_base64": b64, "from_person": from_person,
                    }),
                )
                .await?;
            println!("{}", line(&e));
        }
        WatchlistCommand::Remove {
            server,
            entry,
            reason,
        } => {
            let s = Session::open(&server).await?;
            let e = s
                .post(
                    &format!("/api/v1/watchlist/entries/{entry}/remove"),
                    json!({ "reason": reason }),
                )
                .await?;
            println!("{}", line(&e));
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
