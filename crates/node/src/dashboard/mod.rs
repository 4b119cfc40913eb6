//! A node's web dashboard and `/metrics`, over HTTP (axum) on their own
//! port (`itin node start --http`, loopback by default): the cluster (this
//! node, its peers, their loads and links), the agents (a live table; an
//! agent's page with its itinerary, console, mailbox, bindings and
//! buttons to suspend, resume, kill and migrate it), the sniffer (ACL
//! messages as a sequence diagram) and the object adapters. The page is
//! the static files in `static/` (no build step, nothing fetched from
//! elsewhere); it reads JSON from `/api/...` and live updates from
//! `/api/events` (server-sent events). Every route but the static files
//! asks for the dashboard's token (`auth.rs`).

pub mod auth;
pub(crate) mod http;
pub mod sessions;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::{Json, Router};
use tokio::sync::Semaphore;

use crate::authz::Acting;
use crate::control::RequestBody;
use crate::node::Node;

/// How often live views are pushed to a browser.
const PUSH_EVERY: Duration = Duration::from_millis(500);
/// Browsers following live updates at once (each is a task and a stream).
const MAX_EVENT_STREAMS: usize = 32;
/// Console bytes shown on an agent's page (its newest).
const CONSOLE_BYTES: usize = 16 << 10;

const INDEX_HTML: &str = include_str!("static/index.html");
const APP_JS: &str = include_str!("static/app.js");
const APP_CSS: &str = include_str!("static/app.css");

/// A node's dashboard, serving until dropped or stopped.
pub struct Dashboard {
    addr: SocketAddr,
    token: String,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct App {
    node: Arc<Node>,
    token: Arc<str>,
    streams: Arc<Semaphore>,
}

impl Dashboard {
    /// Serves `node`'s dashboard on `listen` (port 0: any) with `token`.
    /// Call from a tokio runtime.
    pub async fn start(node: Arc<Node>, listen: SocketAddr, token: String) -> Result<Dashboard, String> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("dashboard cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        node.dashboard_sessions().set_address(addr);
        let app = App { node, token: Arc::from(token.as_str()), streams: Arc::new(Semaphore::new(MAX_EVENT_STREAMS)) };
        let router = routes(app);
        let task = tokio::spawn(http::serve(listener, router, http::HttpLimits::default()));
        Ok(Dashboard { addr, token, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// The address to open in a browser (it hands the token over once).
    pub fn url(&self) -> String {
        format!("http://{}/?token={}", self.addr, self.token)
    }

    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn routes(app: App) -> Router {
    let api = Router::new()
        .route("/metrics", get(metrics))
        .route("/api/state", get(state))
        .route("/api/agent/{id}", get(agent))
        .route("/api/agent/{id}/{action}", post(agent_action))
        .route("/api/sniff", get(sniff))
        .route("/api/objects", get(objects))
        .route("/api/events", get(events))
        .route_layer(axum::middleware::from_fn_with_state(app.clone(), require_token));
    Router::new()
        .route("/", get(index))
        .route("/app.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], APP_JS) }))
        .route("/app.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], APP_CSS) }))
        .merge(api)
        .with_state(app)
}

/// Whom a request acts for: the holder of the node's token is its
/// operator (`Acting::Open`: everything); a session acts for whom the
/// client that opened it acted (`sessions.rs`); anyone else is refused.
fn viewer(app: &App, headers: &HeaderMap) -> Option<Acting> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if auth::authorized(&app.token, text(header::AUTHORIZATION), text(header::COOKIE)) {
        return Some(Acting::Open);
    }
    let session = auth::cookie(text(header::COOKIE), auth::SESSION_COOKIE)?;
    app.node.dashboard_sessions().resolve(session)
}

async fn require_token(State(app): State<App>, mut req: Request, next: Next) -> Response {
    match viewer(&app, req.headers()) {
        Some(acting) => {
            req.extensions_mut().insert(acting);
            next.run(req).await
        }
        None => (StatusCode::UNAUTHORIZED, "the dashboard's token or a session is needed (see docs/SECURITY.md)\n")
            .into_response(),
    }
}

/// The answer to a request its viewer may not make.
fn forbidden(why: String) -> Response {
    (StatusCode::FORBIDDEN, Json(serde_json::json!({ "error": why }))).into_response()
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
    /// A session's token (`itin dashboard` prints the URL).
    session: Option<String>,
    /// `poll`: the page polls instead of following server-sent events
    /// (kept across the redirect).
    live: Option<String>,
}

/// The page; `?token=T` (the URL in the node's log) or `?session=S` (the
/// URL `itin dashboard` prints) sets the cookie once.
async fn index(State(app): State<App>, headers: HeaderMap, Query(q): Query<TokenQuery>) -> Response {
    let handed = match (&q.token, &q.session) {
        (Some(t), _) if auth::authorized(&app.token, Some(&format!("Bearer {t}")), None) => {
            Some(auth::set_cookie(auth::COOKIE, &app.token))
        }
        (_, Some(s)) if app.node.dashboard_sessions().resolve(s).is_some() => {
            Some(auth::set_cookie(auth::SESSION_COOKIE, s))
        }
        _ => None,
    };
    if let Some(cookie) = handed {
        let to = if q.live.as_deref() == Some("poll") { "/?live=poll" } else { "/" };
        let mut r = Redirect::to(to).into_response();
        if let Ok(v) = cookie.parse() {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
        return r;
    }
    match viewer(&app, &headers) {
        Some(_) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX_HTML).into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!doctype html><title>Itinerant</title><p>Open the dashboard with the URL that <code>itin \
             dashboard</code> prints (a session acting as your owner key), or with the one the node printed at \
             start (its operator's token, in <code>dashboard.token</code> in the node's data directory).</p>",
        )
            .into_response(),
    }
}

async fn metrics(State(app): State<App>) -> Response {
    let reading = crate::metrics::Reading::take(app.node.runtime(), &app.node.objects().invocations);
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], reading.encode())
        .into_response()
}

async fn state(State(app): State<App>) -> Json<serde_json::Value> {
    Json(views::state(&app.node))
}

async fn agent(State(app): State<App>, Extension(acting): Extension<Acting>, Path(id): Path<String>) -> Response {
    if let Err(why) = app.node.authorize(&acting, &RequestBody::AgentInfo { id: id.clone() }) {
        return forbidden(why);
    }
    match views::agent(&app.node, &id, CONSOLE_BYTES) {
        Some(v) => Json(v).into_response(),
        None => (StatusCode::NOT_FOUND, format!("no agent \"{id}\" here\n")).into_response(),
    }
}

#[derive(serde::Deserialize)]
struct MigrateQuery {
    to: Option<String>,
}

async fn agent_action(
    State(app): State<App>,
    Extension(acting): Extension<Acting>,
    Path((id, action)): Path<(String, String)>,
    Query(q): Query<MigrateQuery>,
) -> Response {
    // The same decision as the CLI's request for the same action.
    let as_request = match action.as_str() {
        "suspend" => Some(RequestBody::Suspend { id: id.clone() }),
        "resume" => Some(RequestBody::Resume { id: id.clone() }),
        "kill" => Some(RequestBody::Kill { id: id.clone() }),
        "migrate" => Some(RequestBody::Migrate { id: id.clone(), node: q.to.clone().unwrap_or_default() }),
        _ => None,
    };
    if let Some(Err(why)) = as_request.map(|r| app.node.authorize(&acting, &r)) {
        return forbidden(why);
    }
    match views::act(&app.node, &id, &action, q.to.as_deref()) {
        Ok(done) => Json(serde_json::json!({ "ok": done })).into_response(),
        Err(why) => (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": why }))).into_response(),
    }
}

#[derive(serde::Deserialize)]
struct SniffQuery {
    after: Option<u64>,
}

async fn sniff(
    State(app): State<App>,
    Extension(acting): Extension<Acting>,
    Query(q): Query<SniffQuery>,
) -> Json<serde_json::Value> {
    Json(views::sniff_rows(&views::sniffed_for(&app.node, &acting, q.after.unwrap_or(0))))
}

async fn objects(State(app): State<App>) -> Json<serde_json::Value> {
    Json(views::objects(&app.node).await)
}

/// Live updates: a `state` event every `PUSH_EVERY`, and a `sniff` event
/// with the ACL messages seen since the last one.
async fn events(State(app): State<App>, Extension(acting): Extension<Acting>, Query(q): Query<SniffQuery>) -> Response {
    let Ok(permit) = app.streams.clone().try_acquire_owned() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "too many browsers follow this node\n").into_response();
    };
    let start = (app, acting, permit, q.after.unwrap_or(0), true);
    let stream = futures_util::stream::unfold(start, |(app, acting, permit, after, first)| async move {
        if !first {
            tokio::time::sleep(PUSH_EVERY).await;
        }
        let state = views::state(&app.node);
        let seen = app.node.runtime().sniffed(after);
        let after = seen.last().map_or(after, |m| m.seq);
        let sniffed = views::visible_to(&app.node, &acting, seen);
        let events = vec![
            Event::default().event("state").json_data(state),
            Event::default().event("sniff").json_data(views::sniff_rows(&sniffed)),
        ];
        Some((futures_util::stream::iter(events), (app, acting, permit, after, false)))
    });
    let flat = futures_util::StreamExt::flatten(stream);
    Sse::new(flat).keep_alive(KeepAlive::default()).into_response()
}
