use std::time::Instant;
use axum::body::Body;
use http::Request;
use sinch_auth::Application;
use sinch_auth_service::caller::*;
use sinch_auth_service::*;
use tower::ServiceExt;
use http_body_util::BodyExt;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let level = std::env::args().nth(1).unwrap_or("info".into());
    let fmt = std::env::args().nth(2).unwrap_or("json".into());
    init_logging(if fmt == "json" { config::LogFormat::Json } else { config::LogFormat::Text }, &level).unwrap();
    let app = Application::from_base64("k", "ax8hTTQJF0OPXL32r1LHMA==").unwrap();
    let key = ApiKey::new("bench-key-0123456789abcdefXYZ").unwrap();
    let auth = ApiKeyAuthenticator::new(vec![ApiKeyDigest::of_key("k", &key)]).unwrap();
    let svc = TokenService::new(Applications::single(app.clone()), auth, ServiceOptions { rate_limits: RateLimitSettings::unlimited(), ..Default::default() });
    let api = svc.router();
    let admin = svc.admin_router();
    let n = 100_000;
    for round in 0..3 {
    let t = Instant::now();
    for _ in 0..n {
        let r = admin.clone().oneshot(Request::get("/livez").body(Body::empty()).unwrap()).await.unwrap();
        let _ = r.into_body().collect().await.unwrap();
    }
    let livez = t.elapsed().as_nanos() as f64 / n as f64 / 1000.0;
    let mk = |p: &str| Request::post(p).header("authorization", "Bearer bench-key-0123456789abcdefXYZ").header("content-type", "application/json").body(Body::from(r#"{"userId":"bench-user"}"#)).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        let r = api.clone().oneshot(mk("/v1/registration-tokens")).await.unwrap();
        let _ = r.into_body().collect().await.unwrap();
    }
    let tokens = t.elapsed().as_nanos() as f64 / n as f64 / 1000.0;
    eprintln!("round {round} {level} {fmt}: livez {livez:.2} us, tokens {tokens:.2} us");
    }
}
