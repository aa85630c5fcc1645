//! The live path: every scripted drive streamed over the WebSocket, manual deductions and an early end.

use std::path::Path;
use std::time::Duration;

use examd::driving::car::{self, Outcome};
use futures::StreamExt;
use judge::sim::fixture::Expected;

use super::{api, drives, lines_of, live_session, rig, start_of};

/// Every scripted drive streamed over the WebSocket gets the verdict `examd judge` gives (the test
/// above checks `examd judge` against the same `expected.json`); the daemon ends a session itself
/// exactly when the pass mark is out of reach; replaying each logged session gives its verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_drive_streamed_live_gets_the_batch_verdict_and_replays() {
    let (t, base, token) = rig().await;
    let all = drives();
    let outcomes: Vec<(String, Expected, Vec<String>, anyhow::Result<Outcome>)> =
        futures::stream::iter(all.into_iter().map(|(name, dir, e)| {
            let (base, token) = (base.clone(), token.clone());
            async move {
                let lines = lines_of(&dir);
                let o = car::drive(
                    &base,
                    "car-01",
                    &token,
                    &start_of(&e, &name),
                    &lines,
                    25,
                    None,
                )
                .await;
                (name, e, lines, o)
            }
        }))
        .buffer_unordered(4)
        .collect()
        .await;
    let mut failures = Vec::new();
    let mut latencies = Vec::new();
    for (name, e, lines, o) in &outcomes {
        let o = match o {
            Ok(o) => o,
            Err(err) => {
                failures.push(format!("{name}: {err:#}"));
                continue;
            }
        };
        latencies.extend(o.latencies.iter().copied());
        if o.verdict != e.verdict {
            failures.push(format!(
                "{name}: live {} != batch {}",
                serde_json::to_string(&o.verdict).unwrap(),
                serde_json::to_string(&e.verdict).unwrap()
            ));
        }
        let sent: Vec<&str> = o
            .deductions
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        let want: Vec<&str> = e
            .verdict
            .deductions
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        if sent != want || !o.errors.is_empty() {
            failures.push(format!(
                "{name}: car was told {sent:?} (errors {:?}), verdict has {want:?}",
                o.errors
            ));
        }
        // Whether the judge is over after the whole drive decides how the session ended.
        let lib = examd::driving::inputs::Library::load(Path::new("/nonexistent")).unwrap();
        let s = lib
            .setup(
                &e.course,
                &e.vehicle,
                judge::Standard::parse(&e.standard).unwrap(),
                e.region.as_deref(),
            )
            .unwrap();
        let mut j = judge::Judge::new(&s.course, &s.vehicle, &s.catalogue);
        for l in lines {
            j.push(&judge::telemetry::parse_line(l, 1).unwrap().unwrap());
        }
        let want_end = if j.is_over() {
            "pass_out_of_reach"
        } else {
            "finished"
        };
        if o.ended != want_end {
            failures.push(format!("{name}: ended {} (want {want_end})", o.ended));
        }
        // The log alone re-judges to the logged verdict.
        let logged = examd::driving::replay::load(&*t.site.store, &o.session)
            .await
            .unwrap();
        let r = examd::driving::replay::rejudge(&logged).unwrap();
        if let Err(why) = r.agrees() {
            failures.push(format!("{name}: replay: {why}"));
        }
        if r.verdict.to_dto() != e.verdict {
            failures.push(format!("{name}: replay verdict differs"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    latencies.sort();
    if let (Some(p50), Some(max)) = (latencies.get(latencies.len() / 2), latencies.last()) {
        println!(
            "live path (4 cars, unpaced, debug): {} deductions, line sent -> deduction durable and back: p50 {p50:?}, max {max:?}",
            latencies.len()
        );
    }
    // Every session shows in the console's list, ended.
    let list = t.site.store.kind_counts().await.unwrap();
    let results = list
        .iter()
        .find(|(k, _)| *k == model::EventKind::DrivingResult.code())
        .map(|x| x.1);
    assert_eq!(results, Some(outcomes.len() as u64));
}

/// The examiner's manual deductions enter the live session as events and count; a fail ends the
/// exam at once; roles and cars are checked; the replay (with the manual lines) agrees.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_deductions_count_and_a_fail_ends_the_exam() {
    let (t, base, token) = rig().await;
    let ex = t.login("ex").await;
    let au = t.login("au").await;
    let (_, dir, e) = drives()
        .into_iter()
        .find(|d| d.0 == "s2-full-clean")
        .unwrap();
    let lines = lines_of(&dir);
    // A clean drive, slowed down so the examiner can act while it runs.
    let drive = {
        let (base, token, e, lines) = (base.clone(), token.clone(), e.clone(), lines.clone());
        tokio::spawn(async move {
            car::drive(
                &base,
                "car-01",
                &token,
                &start_of(&e, "CAND-1"),
                &lines,
                10,
                Some(Duration::from_millis(10)),
            )
            .await
        })
    };
    let id = live_session(&t, &ex).await;
    let path = format!("/api/v1/driving/sessions/{id}/deductions");
    let (s, body) = api(&t, &ex, "POST", &path, Some(r#"{"code":"10204"}"#)).await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(
        (
            body["code"].as_str(),
            body["score"].as_u64(),
            body["by"].as_str()
        ),
        (Some("10204"), Some(90), Some("ex"))
    );
    let (s, body) = api(&t, &ex, "POST", &path, Some(r#"{"code":"99999"}"#)).await;
    assert_eq!(s, 400, "{body}");
    assert!(body["message_en"].as_str().unwrap().contains("99999"));
    let (s, _) = api(&t, &au, "POST", &path, Some(r#"{"code":"10204"}"#)).await;
    assert_eq!(s, 403, "auditors watch, they do not deduct");
    let o = drive.await.unwrap().unwrap();
    if let Some(max) = o.latencies.iter().max() {
        println!(
            "live path (one car, 1,000 lines/s): line sent -> deduction durable and back: max {max:?}"
        );
    }
    assert_eq!(o.ended, "finished");
    assert_eq!((o.verdict.score, o.verdict.passed), (90, true));
    assert_eq!(o.verdict.deductions.len(), 1);
    assert!(o.verdict.deductions[0].reason.contains("examiner"));
    let logged = examd::driving::replay::load(&*t.site.store, &id)
        .await
        .unwrap();
    examd::driving::replay::rejudge(&logged)
        .unwrap()
        .agrees()
        .unwrap();
    assert_eq!(logged.deductions[0].by.as_deref(), Some("ex"));
    // After the session: no more manual deductions.
    let (s, _) = api(&t, &ex, "POST", &path, Some(r#"{"code":"10204"}"#)).await;
    assert_eq!(s, 409);

    // A manual fail (10102, camera blocked) ends the exam at once: the car gets the result early.
    let drive = {
        let (base, token, e, lines) = (base.clone(), token.clone(), e.clone(), lines.clone());
        tokio::spawn(async move {
            car::drive(
                &base,
                "car-01",
                &token,
                &start_of(&e, "CAND-2"),
                &lines,
                5,
                Some(Duration::from_millis(10)),
            )
            .await
        })
    };
    let id2 = live_session(&t, &ex).await;
    let (s, body) = api(
        &t,
        &ex,
        "POST",
        &format!("/api/v1/driving/sessions/{id2}/deductions"),
        Some(r#"{"code":"10102"}"#),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    let o = drive.await.unwrap().unwrap();
    assert_eq!(o.ended, "pass_out_of_reach");
    assert_eq!((o.verdict.score, o.verdict.passed), (0, false));
    let logged = examd::driving::replay::load(&*t.site.store, &id2)
        .await
        .unwrap();
    assert!(
        logged.lines.lines().count() < lines.len(),
        "the rest of the drive was not judged"
    );
    examd::driving::replay::rejudge(&logged)
        .unwrap()
        .agrees()
        .unwrap();

    // Only the car's own terminal may stream as that car; people may not stream at all.
    let other = car::drive(
        &base,
        "car-01",
        &t.device_token,
        &start_of(&e, "X"),
        &lines[..5],
        5,
        None,
    )
    .await;
    let err = format!("{:#}", other.unwrap_err());
    assert!(err.contains("403"), "{err}");
    // A bad start is refused with the reason.
    let mut bad = start_of(&e, "X");
    bad.course = "no-such-course".into();
    let err = car::drive(&base, "car-01", &token, &bad, &lines[..5], 5, None)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("no-such-course"), "{err:#}");
}
