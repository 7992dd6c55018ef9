//! Account administration (`sinch-auth accounts`'s library) on the database
//! of a running service, through its own connection as another process
//! would: the same rules as sign-up, and the service follows disables,
//! deletions and revocations (at once, or within its session cache time).

use std::time::Duration;

use sinch_auth_service::accounts::{AccountAdmin, AdminError};
use sinch_auth_store::Store;
use zeroize::Zeroizing;

use crate::accounts_suite::bearer::{bearer_login, native};
use crate::accounts_suite::harness::*;
use crate::common::unlimited;

async fn admin_of(db: &TestDatabase) -> AccountAdmin {
    AccountAdmin::new(Store::connect(&db.url).await.unwrap())
}

fn pw(text: &str) -> Zeroizing<String> {
    Zeroizing::new(text.to_owned())
}

pub async fn operators_create_accounts_under_the_sign_up_rules(db: &TestDatabase) {
    // Sign-up closed, as in production: the operator is the only way in.
    let closed = test_options().with_signup(sinch_auth_service::accounts::SignupPolicy::Closed);
    let h = Harness::start_with(db, closed, unlimited()).await;
    let admin = admin_of(db).await;
    let name = user("op");
    assert_eq!(h.sign_up(&name, PASSWORD).await.status, 403);

    let created = admin.create(&name, pw(PASSWORD)).await.unwrap();
    assert_eq!(created.username, name);
    assert_eq!(created.live_sessions, 0);
    assert!(matches!(
        admin.create(&name, pw(PASSWORD)).await,
        Err(AdminError::UsernameTaken(_))
    ));
    assert!(matches!(
        admin.create("John Smith", pw(PASSWORD)).await,
        Err(AdminError::InvalidUsername(_))
    ));
    assert!(matches!(
        admin.create(&user("op"), pw("7 chars")).await,
        Err(AdminError::InvalidPassword(_))
    ));
    let long = "é".repeat(129);
    assert!(matches!(
        admin.create(&user("op"), pw(&long)).await,
        Err(AdminError::InvalidPassword(_))
    ));

    // The service logs the account in, with the same Argon2id hash.
    assert_eq!(h.log_in(&name, PASSWORD).await.status, 200);
    let shown = admin.show(&name).await.unwrap();
    assert_eq!(shown.live_sessions, 1);
    assert!(shown.last_login_at.is_some());
    let listed = admin.list().await.unwrap();
    assert!(listed.iter().any(|a| a.username == name));
    assert!(matches!(
        admin.show("nobody-here").await,
        Err(AdminError::NoSuchAccount(_))
    ));
}

pub async fn the_service_follows_disable_enable_and_delete(db: &TestDatabase) {
    let remembering = test_options().with_session_cache(Duration::from_millis(300));
    let caching = Harness::start_with(db, remembering, unlimited()).await;
    let forgetful = test_options().with_session_cache(Duration::ZERO);
    let at_once = Harness::start_with(db, forgetful, unlimited()).await;
    let admin = admin_of(db).await;
    let name = user("managed");
    let token = bearer_login(&caching, &name).await["sessionToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let cookie = session_cookie(&caching.log_in(&name, PASSWORD).await);
    let tickets = || native("POST", "/v1/tickets", Some(&token), Some("{}"));
    assert_eq!(caching.call(tickets()).await.status, 200);

    assert_eq!(admin.disable(&name).await.unwrap().sessions, 2);
    assert_eq!(at_once.call(tickets()).await.status, 401);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        caching.call(tickets()).await.status,
        401,
        "within the cache time"
    );
    assert_eq!(
        caching
            .with_session("/v1/tickets", &cookie, "{}")
            .await
            .status,
        401
    );
    let refused = caching.log_in(&name, PASSWORD).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["reason"], "invalid_credentials");
    assert!(admin.show(&name).await.unwrap().disabled_at.is_some());

    admin.enable(&name).await.unwrap();
    let cookie = session_cookie(&caching.log_in(&name, PASSWORD).await);
    assert_eq!(
        caching
            .with_session("/v1/tickets", &cookie, "{}")
            .await
            .status,
        200
    );

    // A new password signs every session out; the old one stops working.
    let revoked = admin
        .set_password(&name, pw("an operator's new passphrase"))
        .await
        .unwrap();
    assert_eq!(revoked.sessions, 1);
    assert_eq!(
        at_once
            .with_session("/v1/tickets", &cookie, "{}")
            .await
            .status,
        401
    );
    assert_eq!(caching.log_in(&name, PASSWORD).await.status, 401);
    let cookie = session_cookie(&caching.log_in(&name, "an operator's new passphrase").await);
    assert!(matches!(
        admin.set_password(&name, pw("short")).await,
        Err(AdminError::InvalidPassword(_))
    ));

    assert_eq!(admin.revoke_sessions(&name).await.unwrap().sessions, 1);
    assert_eq!(
        at_once
            .with_session("/v1/tickets", &cookie, "{}")
            .await
            .status,
        401
    );

    assert_eq!(admin.delete(&name).await.unwrap().sessions, 0);
    assert_eq!(
        caching
            .log_in(&name, "an operator's new passphrase")
            .await
            .status,
        401
    );
    assert!(matches!(
        admin.delete(&name).await,
        Err(AdminError::NoSuchAccount(_))
    ));
    for result in [
        admin.disable(&name).await.map(|_| ()),
        admin.enable(&name).await,
        admin.revoke_sessions(&name).await.map(|_| ()),
    ] {
        assert!(matches!(result, Err(AdminError::NoSuchAccount(_))));
    }
}
