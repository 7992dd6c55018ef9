//! The in-process way to test a handler: a simulated callback straight into
//! the router with tower's `oneshot`, no socket at all.

use axum::body::Body;
use http_body_util::BodyExt as _;
use sinch_auth::Application;
use sinch_auth::signing::CallbackVerifier;
use sinch_auth::simulate::svaml::SvamlChecker;
use sinch_auth::simulate::{Simulation, VoiceEvent};
use tower::ServiceExt as _;

#[tokio::test]
async fn ice_in_process() {
    let app = Application::from_base64("my-key", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
    let router = voice_callbacks::router(CallbackVerifier::new(app.clone()));
    let request = Simulation::voice(&app, VoiceEvent::Ice)
        .with_path(voice_callbacks::CALLBACK_PATH)
        .build()
        .unwrap();
    let checker = SvamlChecker::for_request(request.body()).unwrap();
    let response = router
        .oneshot(request.into_http().map(Body::from))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer = response.into_body().collect().await.unwrap().to_bytes();
    assert!(checker.check(&answer).is_empty(), "{answer:?}");

    // A stale request never reaches the handler.
    let router = voice_callbacks::router(CallbackVerifier::new(app.clone()));
    let stale = Simulation::voice(&app, VoiceEvent::Ice)
        .with_path(voice_callbacks::CALLBACK_PATH)
        .with_now(time::OffsetDateTime::now_utc() - time::Duration::minutes(11))
        .build()
        .unwrap();
    let response = router
        .oneshot(stale.into_http().map(Body::from))
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
