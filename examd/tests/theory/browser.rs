//! The examiner page and the candidate terminal in headless Chromium: the examiner opens each
//! sitting with their finger, candidates log in at their seats by finger (a wrong finger first is
//! refused on screen), then a whole safety paper to a pass and a Subject 1 paper to an early fail,
//! answered with the keyboard. The readers (the examiner's desk and each seat's) are played by the
//! test with synthetic prints.

use std::time::Duration;

use fantoccini::{Client, Locator};

use super::{EX_FINGER, answer_key, finger_hex, finger_of, fixture_bank};
use crate::durability::{add_device, add_person, start_daemon};
use crate::support::{Kill, browser, chromedriver, login_over_http};

type R<T> = Result<T, fantoccini::error::CmdError>;

/// The seat's reader posts impression `n` of `finger`; returns the reader's answer.
async fn press(base: &str, reader: &str, seat: &str, finger: u64, n: u64) -> serde_json::Value {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/theory/seat/finger?seat={seat}"))
        .bearer_auth(reader)
        .header("content-type", "text/plain")
        .body(finger_hex(finger, n))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The examiner opens a sitting with their finger and assigns a seat on the page.
async fn examiner_assigns(
    c: &Client,
    base: &str,
    exam: &str,
    seat: &str,
    candidate: &str,
) -> R<()> {
    c.goto(&format!("{base}/theory")).await?;
    eprintln!("theory browser: examiner page");
    c.wait()
        .for_element(Locator::Css("#open-bank option"))
        .await?;
    c.find(Locator::Css(&format!(
        "#open-exam option[value=\"{exam}\"]"
    )))
    .await?
    .click()
    .await?;
    let before = c.find_all(Locator::Css("table.theory-seats")).await?.len();
    // The desk reader's agent fills in the examiner's finger.
    c.find(Locator::Id("open-finger"))
        .await?
        .send_keys(&finger_hex(EX_FINGER, 9))
        .await?;
    c.find(Locator::Id("open-submit")).await?.click().await?;
    for _ in 0..100 {
        if c.find_all(Locator::Css("table.theory-seats")).await?.len() > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    c.find(Locator::Id("assign-seat"))
        .await?
        .send_keys(seat)
        .await?;
    c.find(Locator::Id("assign-candidate"))
        .await?
        .send_keys(candidate)
        .await?;
    c.find(Locator::Id("assign-submit")).await?.click().await?;
    eprintln!("theory browser: assign");
    let Ok(p) = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!("#assign-done[data-seat=\"{seat}\"]")))
        .await
    else {
        let e = c.find(Locator::Id("theory-error")).await?.text().await?;
        panic!("seat not assigned: {e:?}");
    };
    assert!(p.text().await?.contains(candidate));
    Ok(())
}

/// The candidate logs in at the seat by finger (after `wrong_fingers` refused ones) and answers
/// with the keyboard; `wrong(i)` picks wrong answers.
#[allow(clippy::too_many_arguments)]
async fn candidate_sits(
    c: &Client,
    base: &str,
    seat: &str,
    reader: &str,
    candidate: &str,
    wrong_fingers: u64,
    wrong: impl Fn(usize) -> bool,
) -> R<String> {
    let key = answer_key();
    // Another terminal: the previous seat's session is not this one's.
    c.goto(&format!("{base}/theory/seat?seat={seat}")).await?;
    c.delete_cookie("examd_seat").await?;
    c.refresh().await?;
    c.wait()
        .for_element(Locator::Css("#seat-login:not([hidden])"))
        .await?;
    // The seat number comes from the terminal's address.
    c.find(Locator::Id("login-go")).await?.click().await?;
    let title = c
        .wait()
        .for_element(Locator::Css("#finger:not([hidden]) #finger-title"))
        .await?;
    assert_eq!(title.text().await?, "请按手指");
    for n in 1..=wrong_fingers {
        let v = press(base, reader, seat, finger_of("a-stranger"), n).await;
        assert_eq!(v["matched"], false, "{v}");
        let mut shown = String::new();
        for _ in 0..100 {
            shown = c.find(Locator::Id("finger-error")).await?.text().await?;
            if shown.contains(&format!("{n} 次")) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(shown.contains("未通过"), "refusal {n} on screen: {shown:?}");
    }
    let v = press(base, reader, seat, finger_of(candidate), 2).await;
    assert_eq!(v["matched"], true, "{v}");
    eprintln!("theory browser: seat login by finger");
    c.wait()
        .for_element(Locator::Css("#exam:not([hidden]) #question[data-qid]"))
        .await?;
    // The countdown is filled by the page's first tick: poll it rather than read it once.
    let mut countdown = String::new();
    for _ in 0..50 {
        countdown = c
            .find(Locator::Id("countdown"))
            .await?
            .text()
            .await
            .unwrap_or_default();
        if countdown.starts_with('4') {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        countdown.starts_with('4'),
        "45 minutes on the clock, got {countdown:?}"
    );
    let mut i = 0usize;
    loop {
        if c.find(Locator::Css("#result:not([hidden])")).await.is_ok() {
            break;
        }
        let q = c.find(Locator::Id("question")).await?;
        let index: usize = q.attr("data-index").await?.unwrap().parse().unwrap();
        assert_eq!(index, i, "the terminal shows question {i}");
        let qid = q.attr("data-qid").await?.unwrap();
        let (good, all) = &key[&qid];
        let choice = if wrong(i) {
            all.iter().find(|k| *k != good).unwrap().clone()
        } else {
            good.clone()
        };
        for k in choice.chars() {
            c.find(Locator::Css("body"))
                .await?
                .send_keys(&k.to_string())
                .await?;
        }
        c.find(Locator::Css("body"))
            .await?
            .send_keys("\u{E007}")
            .await?; // Enter
        for _ in 0..200 {
            let done = c.find(Locator::Css("#result:not([hidden])")).await.is_ok();
            let moved = c
                .find(Locator::Id("question"))
                .await?
                .attr("data-index")
                .await?
                .is_some_and(|v| v != index.to_string());
            if done || moved {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        i += 1;
        if i == 3 {
            // A reload resumes at the same question.
            c.refresh().await?;
            let q = c
                .wait()
                .for_element(Locator::Css(
                    "#exam:not([hidden]) #question[data-index=\"3\"]",
                ))
                .await?;
            assert_eq!(q.attr("data-index").await?.as_deref(), Some("3"));
        }
    }
    Ok(c.find(Locator::Id("result"))
        .await?
        .attr("data-verdict")
        .await?
        .unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paper_to_a_pass_and_one_to_an_early_fail_in_chromium() {
    let Some(driver) = chromedriver("theory browser test") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    examd::theory::banks::import(
        dir.path(),
        &fixture_bank(),
        &"synthetic".parse().unwrap(),
        "auto",
    )
    .await
    .unwrap();
    add_person(dir.path(), "ex", "examiner", "console-pass-1");
    add_person(dir.path(), "ad", "admin", "console-pass-1");
    let reader1 = add_device(dir.path(), "seat-1");
    let reader2 = add_device(dir.path(), "seat-2");
    let (daemon, base) = start_daemon(dir.path());
    let _daemon = Kill(daemon);
    let http = reqwest::Client::new();
    let admin = login_over_http(&http, &base, "ad", "console-pass-1").await;
    for (person, f) in [
        ("examiner:ex".to_owned(), EX_FINGER),
        ("candidate:c-pass".to_owned(), finger_of("c-pass")),
        ("candidate:c-fail".to_owned(), finger_of("c-fail")),
    ] {
        let r = http
            .post(format!("{base}/api/v1/identity/enroll"))
            .header("cookie", &admin)
            .json(&serde_json::json!({"person": person, "templates": [finger_hex(f, 0), finger_hex(f, 1)]}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "enrol {person}: {}", r.status());
    }
    let (_driver, c) = browser(&driver).await;
    let result = async {
        c.goto(&format!("{base}/")).await?;
        c.wait().for_element(Locator::Id("login-form")).await?;
        eprintln!("theory browser: login form");
        c.find(Locator::Id("name")).await?.send_keys("ex").await?;
        c.find(Locator::Id("password"))
            .await?
            .send_keys("console-pass-1")
            .await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        if c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Id("site-id"))
            .await
            .is_err()
        {
            panic!(
                "login did not land: {} {}",
                c.current_url().await?,
                c.source().await?
            );
        }
        // Safety theory: 50 questions, 3 wrong → 94, passed.
        examiner_assigns(&c, &base, "safety", "seat-1", "c-pass").await?;
        let verdict =
            candidate_sits(&c, &base, "seat-1", &reader1, "c-pass", 1, |i| i % 17 == 5).await?;
        assert_eq!(verdict, "passed");
        assert!(
            c.find(Locator::Id("result-detail"))
                .await?
                .text()
                .await?
                .contains("得分 94")
        );
        // Subject 1: the 11th wrong answer ends the paper at once.
        examiner_assigns(&c, &base, "subject1", "seat-2", "c-fail").await?;
        let verdict =
            candidate_sits(&c, &base, "seat-2", &reader2, "c-fail", 0, |i| i >= 2).await?;
        assert_eq!(verdict, "failed");
        assert!(
            c.find(Locator::Id("result-detail"))
                .await?
                .text()
                .await?
                .contains("答错 11 题")
        );
        // The examiner page shows both results.
        c.goto(&format!("{base}/theory")).await?;
        let pass = c
            .wait()
            .for_element(Locator::Css(
                "tr[data-seat=\"seat-1\"] td.seat-result[data-verdict=\"passed\"]",
            ))
            .await?;
        assert!(pass.text().await?.contains("94"));
        c.wait()
            .for_element(Locator::Css(
                "tr[data-seat=\"seat-2\"] td.seat-result[data-verdict=\"failed\"]",
            ))
            .await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();
}
