use std::net::SocketAddr;
use std::time::Duration;

use camera_http::sim::{Fault, Scene, SimCamera, encode_jpeg, render_scene};
use camera_http::{Auth, CameraClient, CameraConfig, CameraError, Channel, JpegFault};

async fn camera(auth: Auth) -> (SimCamera, SocketAddr) {
    let sim = SimCamera::new(auth, 2);
    let (addr, _task) = sim.spawn(([127, 0, 0, 1], 0).into()).await.unwrap();
    (sim, addr)
}

fn client(addr: SocketAddr, channel: u16, auth: Auth) -> CameraClient {
    let mut config = CameraConfig::new(
        format!("http://{addr}"),
        Channel::new(channel).unwrap(),
        auth,
    );
    config.timeout = Duration::from_millis(800);
    CameraClient::new(config).unwrap()
}

#[tokio::test]
async fn digest_snapshot_is_the_rendered_scene() {
    let (sim, addr) = camera(Auth::digest("admin", "cam-pass")).await;
    sim.set_subject(Some(1234));
    sim.set_time(Some(1_764_460_800_000));
    let client = client(addr, 1, Auth::digest("admin", "cam-pass"));
    let shot = client.snapshot().await.unwrap();
    let expected = encode_jpeg(&render_scene(&Scene {
        subject: Some(1234),
        time_ms: 1_764_460_800_000,
    }));
    assert_eq!(shot.jpeg, expected);
    assert_eq!((shot.width, shot.height), (320, 240));
    // The remembered challenge is reused (nonce count 2), and channel 2 serves too.
    client.snapshot().await.unwrap();
    self::client(addr, 2, Auth::digest("admin", "cam-pass"))
        .snapshot()
        .await
        .unwrap();
    assert_eq!(sim.served(), 3);
}

#[tokio::test]
async fn basic_auth_camera() {
    let (_sim, addr) = camera(Auth::basic("admin", "b")).await;
    client(addr, 1, Auth::basic("admin", "b"))
        .snapshot()
        .await
        .unwrap();
    let err = client(addr, 1, Auth::basic("admin", "wrong"))
        .snapshot()
        .await
        .unwrap_err();
    assert!(
        matches!(err, CameraError::Unauthorized { status: 401, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn wrong_password_is_unauthorized_and_names_the_user() {
    let (_sim, addr) = camera(Auth::digest("admin", "cam-pass")).await;
    let err = client(addr, 1, Auth::digest("admin", "nope"))
        .snapshot()
        .await
        .unwrap_err();
    assert!(
        matches!(err, CameraError::Unauthorized { status: 401, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("admin"), "{err}");
    assert_eq!(err.kind(), "unauthorized");
}

#[tokio::test]
async fn bad_answers_are_named() {
    let (sim, addr) = camera(Auth::digest("admin", "p")).await;
    let client = client(addr, 1, Auth::digest("admin", "p"));

    sim.set_fault(Fault::WrongType);
    let err = client.snapshot().await.unwrap_err();
    assert!(
        matches!(&err, CameraError::ContentType { content_type, .. } if content_type == "text/html"),
        "{err}"
    );

    sim.set_fault(Fault::Truncated);
    let err = client.snapshot().await.unwrap_err();
    assert!(
        matches!(
            err,
            CameraError::Picture {
                fault: JpegFault::NoEnd { .. },
                ..
            }
        ),
        "{err}"
    );

    sim.set_fault(Fault::ServerError);
    let err = client.snapshot().await.unwrap_err();
    assert!(
        matches!(err, CameraError::Status { status: 500, .. }),
        "{err}"
    );

    sim.set_fault(Fault::Hang);
    let err = client.snapshot().await.unwrap_err();
    assert!(matches!(err, CameraError::Timeout { .. }), "{err}");
    assert_eq!(err.kind(), "timeout");

    sim.set_fault(Fault::None);
    client.snapshot().await.unwrap();
}

#[tokio::test]
async fn oversized_unknown_stream_and_closed_port() {
    let (_sim, addr) = camera(Auth::digest("admin", "p")).await;
    let mut config = CameraConfig::new(
        format!("http://{addr}"),
        Channel::new(1).unwrap(),
        Auth::digest("admin", "p"),
    );
    config.max_bytes = 1000;
    let err = CameraClient::new(config)
        .unwrap()
        .snapshot()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            CameraError::Picture {
                fault: JpegFault::TooLarge { limit: 1000, .. },
                ..
            }
        ),
        "{err}"
    );

    let err = client(addr, 3, Auth::digest("admin", "p"))
        .snapshot()
        .await
        .unwrap_err();
    assert!(
        matches!(err, CameraError::Status { status: 404, .. }),
        "{err}"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = client(closed, 1, Auth::digest("admin", "p"))
        .snapshot()
        .await
        .unwrap_err();
    assert!(matches!(err, CameraError::Transport { .. }), "{err}");
}
