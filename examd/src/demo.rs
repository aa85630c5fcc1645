//! `examd demo`: the daemon on embedded SQLite with simulated devices, for anyone to watch.
//!
//! On first start it creates demo accounts (passwords generated and kept in the data folder)
//! and a simulated terminal that reports through the real HTTP API, as a real device would.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use model::{Role, UserName};
use serde_json::json;

use crate::config::{self, SiteArgs};
use crate::state::Clock;
use crate::{accounts, app, auth, site};

/// The demo's people: (name, role, display name).
const PEOPLE: &[(&str, Role, &str)] = &[
    ("admin", Role::Admin, "管理员"),
    ("examiner", Role::Examiner, "考试员 张"),
    ("auditor", Role::Auditor, "审计员 李"),
];

/// The simulated terminal's account.
const TERMINAL: &str = "demo-terminal";

/// Runs the demo until Ctrl-C.
pub async fn run(mut args: SiteArgs, clock: Clock) -> anyhow::Result<()> {
    if args.data_dir.is_none() {
        args.data_dir = Some(PathBuf::from("examd-demo"));
    }
    // A central platform beside the site, on its own SQLite database, so results can be seen arriving.
    let demo_dir = args.data_dir.clone().unwrap_or_default();
    std::fs::create_dir_all(&demo_dir)?;
    let central = match args.central_url {
        Some(_) => None,
        None => {
            let url = format!("sqlite://{}", demo_dir.join("central.db").display());
            let store = crate::central::open(&url, &[], &clock).await?;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            args.central_url = Some(format!("http://{}", listener.local_addr()?));
            Some((store, listener))
        }
    };
    let rt = config::load(&args, Path::new("examd-demo"))?;
    let listener = tokio::net::TcpListener::bind(rt.listen)
        .await
        .with_context(|| {
            format!(
                "listening on {} (is another examd running? pass --listen)",
                rt.listen
            )
        })?;
    let addr = listener.local_addr()?;
    let site = site::open(rt, clock.clone()).await?;
    if let Some((store, listener)) = central {
        store
            .register_site(&site.rt.site, &site.public_key, clock())
            .await?;
        // A platform account for the central page, made once; its token kept beside the demo data.
        let platform_token = demo_dir.join("central-platform.token");
        if !platform_token.exists() {
            let (_, _, token) = crate::central::accounts::create(
                store.as_ref(),
                "platform:platform-admin",
                clock(),
            )
            .await?;
            site::write_private(&platform_token, token.as_bytes())?;
        }
        let photos = crate::photos::PhotoStore::open(demo_dir.join("central-photos"))?;
        let app = crate::central::router_with_photos(store, clock.clone(), Some(photos));
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "demo central stopped");
            }
        });
    }
    let creds = site.rt.data_dir.join("demo-accounts.txt");
    let token_file = site.rt.data_dir.join("demo-terminal.token");
    if !creds.exists() {
        let by: UserName = "demo".parse()?;
        let mut text = String::from("# examd demo accounts (generated on first start)\n");
        for (name, role, display) in PEOPLE {
            let pw = auth::new_secret()[..12].to_owned();
            accounts::create(
                &site.store,
                &site.log,
                name.parse()?,
                *role,
                (*display).into(),
                Some(pw.clone()),
                clock(),
                &by,
            )
            .await
            .map_err(|e| anyhow::anyhow!("creating demo account {name}: {e}"))?;
            text.push_str(&format!("{name}\t{role}\t{pw}\n"));
        }
        let dev = accounts::create(
            &site.store,
            &site.log,
            TERMINAL.parse()?,
            Role::Device,
            "模拟终端".into(),
            None,
            clock(),
            &by,
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating the demo terminal: {e}"))?;
        site::write_private(&token_file, dev.token.unwrap_or_default().as_bytes())?;
        site::write_private(&creds, text.as_bytes())?;
    }
    println!("examd 演示 / demo");
    println!("  控制台 / console:  http://{addr}/");
    println!("  账户 / accounts:   {}", creds.display());
    for line in std::fs::read_to_string(&creds)?
        .lines()
        .filter(|l| !l.starts_with('#'))
    {
        println!("    {line}");
    }
    if let Some(url) = &site.rt.central_url {
        println!("  中心平台 / central: {url}/central/  (console page /upload)");
        let platform_token = demo_dir.join("central-platform.token");
        if let Ok(token) = std::fs::read_to_string(&platform_token) {
            println!("    平台令牌 / platform token: {token}");
        }
    }
    println!("  停止 / stop:       Ctrl-C");
    let token = std::fs::read_to_string(&token_file).context("reading the demo terminal token")?;
    let base = format!("http://{addr}");
    tokio::spawn(simulated_terminal(base.clone(), token));
    app::serve_with(
        site,
        listener,
        clock,
        app::shutdown_signal(),
        move |state| {
            tokio::spawn(crate::watchlist::demo(state.clone(), base.clone()));
            tokio::spawn(crate::areas::demo(state, base));
        },
    )
    .await
}

/// A terminal that reports a heartbeat every two seconds through the HTTP API.
async fn simulated_terminal(base: String, token: String) {
    let client = reqwest::Client::new();
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    for n in 1u64.. {
        tick.tick().await;
        let body = json!({
            "kind": "device.report",
            "payload": { "heartbeat": n, "status": "ok", "note": "模拟终端心跳 / simulated heartbeat" },
        });
        match client
            .post(format!("{base}/api/v1/events"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => tracing::warn!(status = %r.status(), "simulated terminal: report refused"),
            Err(e) => tracing::debug!(error = %e, "simulated terminal: daemon not reachable"),
        }
    }
}
