//! The receiver's decisions, called directly: replay, gap, fork, chain break, unknown site,
//! bad signature, key rotation.

mod support;

use audit::{Chain, Event, Signer};
use model::{EventKind, Seq, SiteId, UnixMs};
use store::CentralStore;
use support::CentralDb;
use uplink::central::receive;
use uplink::{Batch, Record, Refusal};

fn records(site: &SiteId, n: u64, salt: &str) -> Vec<Record> {
    let mut chain = Chain::genesis(site);
    (1..=n)
        .map(|seq| {
            let s = chain
                .append(Event {
                    seq: Seq(seq),
                    time: UnixMs(0),
                    kind: EventKind::SystemStarted,
                    subjects: vec![],
                    payload: format!("{{\"{salt}\":{seq}}}").into_bytes(),
                })
                .unwrap();
            Record {
                bytes: s.bytes,
                hash: s.hash.0.to_vec(),
            }
        })
        .collect()
}

fn batch(signer: &Signer, site: &SiteId, from: u64, recs: &[Record]) -> Batch {
    Batch::sign(signer, site, Seq(from), recs.to_vec(), vec![])
}

#[tokio::test]
async fn receiver_decisions() {
    let db = CentralDb::sqlite();
    let central = db.open().await;
    let store: &dyn CentralStore = central.as_ref();
    let site: SiteId = "recv-site".parse().unwrap();
    let (key, _) = Signer::generate().unwrap();
    let now = UnixMs(1);
    let log = records(&site, 10, "a");

    let unknown = receive(store, &batch(&key, &site, 1, &log[..3]), now).await;
    assert_eq!(
        unknown,
        Err(Refusal::UnknownSite {
            site: site.to_string()
        })
    );
    store
        .register_site(&site, &key.public_key(), now)
        .await
        .unwrap();

    let (stranger, _) = Signer::generate().unwrap();
    let bad = receive(store, &batch(&stranger, &site, 1, &log[..3]), now).await;
    assert_eq!(bad, Err(Refusal::BadSignature));

    // Handshake, then a batch, then its replay: the same ack, nothing written twice.
    let hello = receive(store, &batch(&key, &site, 1, &[]), now)
        .await
        .unwrap();
    assert_eq!(
        (hello.highest_contiguous_seq, hello.head.clone()),
        (0, Chain::genesis_hash(&site).to_hex())
    );
    let ack = receive(store, &batch(&key, &site, 1, &log[..4]), now)
        .await
        .unwrap();
    assert_eq!(ack.highest_contiguous_seq, 4);
    let again = receive(store, &batch(&key, &site, 1, &log[..4]), now)
        .await
        .unwrap();
    assert_eq!(again, ack);
    // Overlapping batch: the known part is checked, the rest stored.
    let ack = receive(store, &batch(&key, &site, 3, &log[2..6]), now)
        .await
        .unwrap();
    assert_eq!(ack.highest_contiguous_seq, 6);
    assert_eq!(store.event_count(&site).await.unwrap(), 6);

    // A gap names the seq central needs.
    let gap = receive(store, &batch(&key, &site, 8, &log[7..]), now).await;
    assert_eq!(gap, Err(Refusal::Gap { expected: 7 }));

    // A record that does not chain from central's head: refused and alarmed, nothing stored.
    let mut broken = log[6..8].to_vec();
    broken[0].bytes = records(&site, 7, "x")[6].bytes.clone();
    let r = receive(store, &batch(&key, &site, 7, &broken), now).await;
    assert!(
        matches!(r, Err(Refusal::ChainBreak { seq: 7, .. })),
        "{r:?}"
    );
    assert_eq!(store.head(&site).await.unwrap().0, Seq(6));

    // Another history for seqs central holds: a fork, refused and alarmed.
    let other = records(&site, 8, "b");
    let fork = receive(store, &batch(&key, &site, 5, &other[4..8]), now).await;
    assert_eq!(fork, Err(Refusal::Fork { seq: 5 }));
    let alarms = store.alarms(Some(&site)).await.unwrap();
    assert_eq!(
        alarms.iter().map(|a| a.seq.0).collect::<Vec<_>>(),
        vec![7, 5]
    );
    assert_eq!(store.event_count(&site).await.unwrap(), 6);

    // Key rotation: the new key is accepted; once retired, the old one is refused.
    let (next, _) = Signer::generate().unwrap();
    store
        .register_site(&site, &next.public_key(), now)
        .await
        .unwrap();
    let ack = receive(store, &batch(&next, &site, 7, &log[6..8]), now)
        .await
        .unwrap();
    assert_eq!(ack.highest_contiguous_seq, 8);
    store
        .retire_key(&site, &key.public_key(), now)
        .await
        .unwrap();
    let old = receive(store, &batch(&key, &site, 9, &log[8..]), now).await;
    assert_eq!(old, Err(Refusal::BadSignature));
    let ack = receive(store, &batch(&next, &site, 9, &log[8..]), now)
        .await
        .unwrap();
    assert_eq!(ack.highest_contiguous_seq, 10);
    assert_eq!(store.event_count(&site).await.unwrap(), 10);
}
