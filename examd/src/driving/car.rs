//! A car terminal over the real WebSocket protocol ([`super::live`]): the demo's simulated car,
//! and the client the tests and the latency measurement drive.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures::{SinkExt, StreamExt};
use judge::VerdictDto;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// What a car asks for when it starts a session.
#[derive(Debug, Clone)]
pub struct Start {
    /// Candidate.
    pub candidate: String,
    /// Examiner.
    pub examiner: String,
    /// Course map name.
    pub course: String,
    /// Vehicle profile name.
    pub vehicle: String,
    /// GA 1026 edition.
    pub standard: String,
    /// Region.
    pub region: Option<String>,
    /// Fingers at the car: `(sitting, candidate's ISO record, examiner's ISO record)`.
    pub identity: Option<(String, Vec<u8>, Vec<u8>)>,
}

/// How a drive went, as the car saw it.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Session id.
    pub session: String,
    /// The deductions the daemon sent, in order.
    pub deductions: Vec<Value>,
    /// Lines the daemon refused, with its message.
    pub errors: Vec<String>,
    /// Why the session ended.
    pub ended: String,
    /// The verdict.
    pub verdict: VerdictDto,
    /// For deductions of lines sent before the end: time from sending the line to the
    /// deduction's arrival (it arrives after it is durable in the log).
    pub latencies: Vec<Duration>,
    /// When the first deduction arrived.
    pub first_deduction_at: Option<Instant>,
}

/// Drives `lines` (telemetry v1) as car `car` against the daemon at `base` (`http://host:port`).
/// `per_frame` lines go in one WebSocket frame; `pace` waits between frames (`None`: as fast as
/// the socket takes them). Stops sending once the daemon has ended the session.
pub async fn drive(
    base: &str,
    car: &str,
    token: &str,
    start: &Start,
    lines: &[String],
    per_frame: usize,
    pace: Option<Duration>,
) -> anyhow::Result<Outcome> {
    let url = format!(
        "{}/api/v1/driving/cars/{car}/stream",
        base.replacen("http", "ws", 1)
    );
    let mut req = url.as_str().into_client_request()?;
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().context("token header")?,
    );
    let (ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    let (mut tx, mut rx) = ws.split();
    let mut start_msg = json!({
        "type": "start", "candidate": start.candidate, "examiner": start.examiner,
        "course": start.course, "vehicle": start.vehicle, "standard": start.standard,
        "region": start.region,
    });
    if let Some((sitting, c, e)) = &start.identity {
        start_msg["identity"] = json!({
            "sitting": sitting, "candidate_finger": hex::encode(c), "examiner_finger": hex::encode(e),
        });
    }
    tx.send(Message::text(start_msg.to_string())).await?;
    let first = next_json(&mut rx).await?;
    if first["type"] != "started" {
        bail!("the daemon did not start the session: {first}");
    }
    let session = first["session"].as_str().unwrap_or_default().to_owned();
    // Reader: collects everything until the result.
    let sent: std::sync::Arc<std::sync::Mutex<HashMap<u64, Instant>>> = Default::default();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ending = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (sent_r, done_r, ending_r) = (sent.clone(), done.clone(), ending.clone());
    let reader = tokio::spawn(async move {
        let mut deductions = Vec::new();
        let mut errors = Vec::new();
        let mut latencies = Vec::new();
        let mut first = None;
        loop {
            let v = next_json(&mut rx).await?;
            match v["type"].as_str() {
                Some("deduction") => {
                    first.get_or_insert_with(Instant::now);
                    let t = v["t_ms"].as_u64().unwrap_or(0);
                    let before_end = !ending_r.load(std::sync::atomic::Ordering::SeqCst);
                    if let Some(at) = sent_r.lock().unwrap_or_else(|p| p.into_inner()).get(&t)
                        && v["by"].is_null()
                        && before_end
                    {
                        latencies.push(at.elapsed());
                    }
                    deductions.push(v);
                }
                Some("error") => errors.push(v["message"].as_str().unwrap_or("").to_owned()),
                Some("result") => {
                    done_r.store(true, std::sync::atomic::Ordering::SeqCst);
                    let verdict: VerdictDto = serde_json::from_value(v["verdict"].clone())?;
                    return anyhow::Ok((
                        deductions,
                        errors,
                        latencies,
                        first,
                        v["ended"].as_str().unwrap_or("").to_owned(),
                        verdict,
                    ));
                }
                _ => {}
            }
        }
    });
    for frame in lines.chunks(per_frame.max(1)) {
        if done.load(std::sync::atomic::Ordering::SeqCst) {
            break;
        }
        {
            let mut s = sent.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            for l in frame {
                if let Some(t) = t_ms_of(l) {
                    s.entry(t).or_insert(now);
                }
            }
        }
        if tx.send(Message::text(frame.join("\n"))).await.is_err() {
            break;
        }
        if let Some(p) = pace {
            tokio::time::sleep(p).await;
        }
    }
    // Deductions from here on are the end's, not a line's.
    ending.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = tx.send(Message::text(r#"{"type":"end"}"#)).await;
    let (deductions, errors, latencies, first_deduction_at, ended, verdict) =
        tokio::time::timeout(Duration::from_secs(60), reader)
            .await
            .context("no result from the daemon within 60 s")???;
    Ok(Outcome {
        session,
        deductions,
        errors,
        ended,
        verdict,
        latencies,
        first_deduction_at,
    })
}

fn t_ms_of(line: &str) -> Option<u64> {
    let i = line.find("\"t_ms\":")? + 7;
    let rest = &line[i..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

async fn next_json<S>(rx: &mut S) -> anyhow::Result<Value>
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match rx.next().await {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(t.as_str())?),
            Some(Ok(Message::Close(_))) | None => bail!("the daemon closed the connection"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.into()),
        }
    }
}
