use crate::*;

both_backends! {
    async fn admins_create_customers_and_list_them_with_search(app) {
        let r = app.post(&app.admin_token, "/customers", &json!({"companyName": "Fabrikam SARL", "domains": ["Fabrikam.Example", "fabrikam.example"], "country": "fr"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["domains"], json!(["fabrikam.example"]));
        assert_eq!(r.body["country"], "FR");
        let id = str_at(&r.body, "/id").to_owned();
        app.customer().await;

        let got = app.get(&app.admin_token, &format!("/customers/{id}")).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.body["companyName"], "Fabrikam SARL");

        let all = app.get(&app.admin_token, "/customers").await;
        assert_eq!(all.body["totalCount"], 2);
        let found = app.get(&app.admin_token, "/customers?search=fabri").await;
        assert_eq!(found.body["totalCount"], 1);
        assert_eq!(found.body["items"][0]["id"], id.as_str());
        let paged = app.get(&app.admin_token, "/customers?limit=1").await;
        assert_eq!(paged.body["items"].as_array().map(Vec::len), Some(1));
        let next = str_at(&paged.body, "/cursors/next").to_owned();
        let second = app.get(&app.admin_token, &format!("/customers?limit=1&cursor={next}")).await;
        assert_eq!(second.body["items"].as_array().map(Vec::len), Some(1));
        assert_ne!(second.body["items"][0]["id"], paged.body["items"][0]["id"]);
    }

    async fn sales_agents_create_customers_and_helpdesk_agents_cannot(app) {
        let sales = app.agent_token("sales").await;
        let helpdesk = app.agent_token("helpdesk").await;
        let body = json!({"companyName": "Northwind", "domains": ["northwind.example"], "country": "IT"});
        assert_eq!(app.post(&helpdesk, "/customers", &body).await.status, StatusCode::FORBIDDEN);
        let r = app.post(&sales, "/customers", &body).await;
        assert_eq!(r.status, StatusCode::CREATED);
        let r = app.post(&app.admin_token, "/customers", &body).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "domain_taken"));
    }

    async fn customer_input_is_validated_field_by_field(app) {
        for (body, field) in [
            (json!({"companyName": "X", "domains": ["x.example"], "country": "XX"}), "country"),
            (json!({"companyName": "X", "domains": [], "country": "US"}), "domains"),
            (json!({"companyName": "X", "domains": ["not a domain"], "country": "US"}), "domains[0]"),
            (json!({"companyName": " ", "domains": ["x.example"], "country": "US"}), "companyName"),
            (json!({"companyName": "X", "domains": ["x.example"]}), "country"),
        ] {
            let r = app.post(&app.admin_token, "/customers", &body).await;
            assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "validation_failed"), "{body}");
            assert!(r.body["details"]["field"].as_str().unwrap_or("").contains(field) || r.body["message"].as_str().unwrap_or("").contains(field), "{body} → {:?}", r.body);
        }
    }
}
