use crate::*;
use std::collections::HashMap;
use time::Duration;

/// A form client that keeps cookies and does not follow redirects.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: HashMap<String, String>,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    html: String,
}

impl Page {
    fn csrf(&self) -> String {
        self.html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("no csrf field in the page: {}", self.html))
            .to_owned()
    }
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self { app, cookies: HashMap::new() }
    }

    async fn finish(&mut self, resp: reqwest::Response) -> Page {
        for v in resp.headers().get_all("set-cookie") {
            let v = v.to_str().expect("a Set-Cookie header in ASCII");
            assert!(v.contains("HttpOnly") && v.contains("SameSite=Lax"), "{v}");
            if let Some((k, rest)) = v.split_once('=') {
                let value = rest.split(';').next().unwrap_or_default();
                if value.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), value.to_owned());
                }
            }
        }
        Page {
            status: resp.status(),
            location: resp.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_owned),
            html: resp.text().await.expect("reading the page"),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn get(&mut self, path: &str) -> Page {
        let resp = self.app.http.get(self.app.url(path)).header("cookie", self.cookie_header()).send().await.unwrap();
        self.finish(resp).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let resp = self
            .app
            .http
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.finish(resp).await
    }

    async fn sign_in(&mut self, user: &str, password: &str) -> Page {
        let csrf = self.get("/signin").await.csrf();
        self.post("/signin", &[("user_name", user), ("password", password), ("csrf", &csrf)]).await
    }
}

const CHOSEN: &str = "Correct-Horse-Battery-9";

/// Whether `password` signs `upn` in as a temporary password (to the change page).
pub async fn temporary_password_signs_in(app: &TestApp, upn: &str, password: &str) -> bool {
    let page = Browser::new(app).sign_in(upn, password).await;
    page.location.as_deref() == Some("/signin/change-password")
}

both_backends! {
    async fn a_temporary_password_signs_in_once_and_forces_a_change(app) {
        let c = app.customer().await;
        let created = app.user(&c, "nina", json!({})).await;
        let upn = str_at(&created, "/user/userPrincipalName").to_owned();
        let temporary = str_at(&created, "/temporaryPassword").to_owned();

        let mut browser = Browser::new(&app);
        let page = browser.sign_in(&upn.to_uppercase(), &temporary).await;
        assert_eq!((page.status, page.location.as_deref()), (StatusCode::SEE_OTHER, Some("/signin/change-password")));
        // The change-password session reaches nothing else.
        assert_eq!(browser.get("/me").await.location.as_deref(), Some("/signin/change-password"));
        let form = browser.get("/signin/change-password").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf();
        let weak = browser.post("/signin/change-password", &[("password", "short"), ("confirmation", "short"), ("csrf", &csrf)]).await;
        assert_eq!(weak.status, StatusCode::BAD_REQUEST);
        assert!(weak.html.contains("at least 12 characters"));
        let done = browser.post("/signin/change-password", &[("password", CHOSEN), ("confirmation", CHOSEN), ("csrf", &csrf)]).await;
        assert_eq!((done.status, done.location.as_deref()), (StatusCode::SEE_OTHER, Some("/me")));
        assert_eq!(browser.get("/me").await.status, StatusCode::OK);

        // The temporary password is spent; the chosen one signs straight in.
        let mut second = Browser::new(&app);
        assert_eq!(second.sign_in(&upn, &temporary).await.status, StatusCode::UNAUTHORIZED);
        let page = second.sign_in(&upn, CHOSEN).await;
        assert_eq!(page.location.as_deref(), Some("/me"));
        let stored = app.services.store.find_signin_user(&upn.to_lowercase()).await.unwrap().expect("the user").password_digest.expect("a password digest");
        assert!(stored.starts_with("$argon2id$"), "chosen passwords are stored with Argon2id");
    }

    async fn a_temporary_password_abandoned_at_the_change_cannot_be_used_again(app) {
        let c = app.customer().await;
        let created = app.user(&c, "otto", json!({})).await;
        let upn = str_at(&created, "/user/userPrincipalName").to_owned();
        let temporary = str_at(&created, "/temporaryPassword").to_owned();
        assert_eq!(Browser::new(&app).sign_in(&upn, &temporary).await.status, StatusCode::SEE_OTHER);
        assert_eq!(Browser::new(&app).sign_in(&upn, &temporary).await.status, StatusCode::UNAUTHORIZED);
    }

    async fn blocked_deleted_and_expired_users_cannot_sign_in(app) {
        let c = app.customer().await;
        let users = format!("/customers/{}/users", c.id);
        let blocked = app.user(&c, "blocked", json!({})).await;
        let deleted = app.user(&c, "deleted", json!({})).await;
        let expired = app.user(&c, "expired", json!({})).await;
        app.patch(&app.admin_token, &format!("{users}/{}", str_at(&blocked, "/user/id")), &json!({"signInBlocked": true})).await;
        app.delete(&app.admin_token, &format!("{users}/{}", str_at(&deleted, "/user/id"))).await;
        let attempt = |v: &Value| (str_at(v, "/user/userPrincipalName").to_owned(), str_at(v, "/temporaryPassword").to_owned());

        let (u, p) = attempt(&blocked);
        assert_eq!(Browser::new(&app).sign_in(&u, &p).await.status, StatusCode::FORBIDDEN);
        let (u, p) = attempt(&deleted);
        assert_eq!(Browser::new(&app).sign_in(&u, &p).await.status, StatusCode::FORBIDDEN);

        // 14 days exactly is the last moment; one second more and it has expired.
        let (u, p) = attempt(&expired);
        app.clock.advance(Duration::days(14) + Duration::seconds(1));
        assert_eq!(Browser::new(&app).sign_in(&u, &p).await.status, StatusCode::UNAUTHORIZED);
    }

    async fn a_temporary_password_works_until_its_last_second(app) {
        let c = app.customer().await;
        let v = app.user(&c, "edge", json!({})).await;
        app.clock.advance(Duration::days(14) - Duration::seconds(1));
        let page = Browser::new(&app).sign_in(str_at(&v, "/user/userPrincipalName"), str_at(&v, "/temporaryPassword")).await;
        assert_eq!(page.location.as_deref(), Some("/signin/change-password"));
    }

    async fn repeated_failures_are_rate_limited_per_username(app) {
        let c = app.customer().await;
        let v = app.user(&c, "target", json!({})).await;
        let upn = str_at(&v, "/user/userPrincipalName").to_owned();
        for _ in 0..5 {
            assert_eq!(Browser::new(&app).sign_in(&upn, "wrong-password").await.status, StatusCode::UNAUTHORIZED);
        }
        let right = str_at(&v, "/temporaryPassword").to_owned();
        assert_eq!(Browser::new(&app).sign_in(&upn, &right).await.status, StatusCode::TOO_MANY_REQUESTS);
        app.clock.advance(Duration::minutes(16));
        assert_eq!(Browser::new(&app).sign_in(&upn, &right).await.status, StatusCode::SEE_OTHER);
    }

    async fn sign_in_forms_refuse_a_post_without_the_csrf_token(app) {
        let c = app.customer().await;
        let v = app.user(&c, "csrf", json!({})).await;
        let mut browser = Browser::new(&app);
        browser.get("/signin").await;
        let page = browser
            .post("/signin", &[("user_name", str_at(&v, "/user/userPrincipalName")), ("password", str_at(&v, "/temporaryPassword")), ("csrf", "forged")])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        // The password was not consumed by the refused attempt.
        assert_eq!(browser.sign_in(str_at(&v, "/user/userPrincipalName"), str_at(&v, "/temporaryPassword")).await.status, StatusCode::SEE_OTHER);
    }

    async fn a_password_reset_signs_the_user_out(app) {
        let c = app.customer().await;
        let v = app.user(&c, "resetme", json!({})).await;
        let upn = str_at(&v, "/user/userPrincipalName").to_owned();
        let mut browser = Browser::new(&app);
        browser.sign_in(&upn, str_at(&v, "/temporaryPassword")).await;
        let csrf = browser.get("/signin/change-password").await.csrf();
        browser.post("/signin/change-password", &[("password", CHOSEN), ("confirmation", CHOSEN), ("csrf", &csrf)]).await;
        assert_eq!(browser.get("/me").await.status, StatusCode::OK);
        let path = format!("/customers/{}/users/{}/reset-password", c.id, str_at(&v, "/user/id"));
        let fresh = str_at(&app.post(&app.admin_token, &path, &json!({})).await.body, "/temporaryPassword").to_owned();
        assert_eq!(browser.get("/me").await.location.as_deref(), Some("/signin"));
        assert_eq!(Browser::new(&app).sign_in(&upn, CHOSEN).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(Browser::new(&app).sign_in(&upn, &fresh).await.location.as_deref(), Some("/signin/change-password"));
    }
}
