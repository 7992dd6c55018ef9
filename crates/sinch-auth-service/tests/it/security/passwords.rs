//! Item 8: weak passwords are refused (NIST SP 800-63B): the username
//! itself, or one of ~100,000 common or breached passwords, is
//! `422 invalid_password` with a reason the page shows.

use serde_json::{Value, json};

use super::{PASSWORD, client, cookie_set_by, credentials, serve_accounts};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn common_breached_and_username_passwords_are_refused_with_a_reason() {
    let server = serve_accounts(&[]).await;
    let sign_up = |username: &str, password: &str| {
        let (url, body) = (server.url("/v1/accounts"), credentials(username, password));
        async move {
            let reply = client()
                .post(url)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            let status = reply.status().as_u16();
            let text = reply.text().await.unwrap();
            (
                status,
                serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
            )
        }
    };
    for weak in [
        "password1",
        "iloveyou",
        "Qwerty123",
        "1q2w3e4r5t",
        "sunshine",
        "Passw0rd",
    ] {
        let (status, body) = sign_up("weak-user", weak).await;
        assert_eq!(status, 422, "{weak}: {body}");
        assert_eq!(body["code"], "invalid_password", "{weak}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("common or breached"),
            "{body}"
        );
    }
    let (status, body) = sign_up("Correct-Horse-42", "correct-horse-42").await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("username"),
        "{body}"
    );

    // A strong one passes; changing to a weak one is refused the same way.
    let (status, _) = sign_up("strong-user", PASSWORD).await;
    assert_eq!(status, 201);
    let login = client()
        .post(server.url("/v1/login"))
        .header("content-type", "application/json")
        .body(credentials("strong-user", PASSWORD).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = cookie_set_by(&login).expect("a login sets the session cookie");
    let change = client()
        .post(server.url("/v1/accounts/me/password"))
        .header("content-type", "application/json")
        .header("origin", format!("http://{}", server.api))
        .header("cookie", cookie)
        .body(json!({"currentPassword": PASSWORD, "newPassword": "strong-user"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(change.status(), 422);
    let body: Value = serde_json::from_str(&change.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], "invalid_password");
}
