//! Real headless Chromium, driven through chromedriver (WebDriver), for the browser tests.
//!
//! Nothing here skips: without chromedriver or Chromium the test fails and says what to
//! install. `MOTCUA_CHROMEDRIVER` (default `/usr/bin/chromedriver`) and `MOTCUA_CHROMIUM`
//! (default `/usr/bin/chromium`) point elsewhere; Debian's `chromium-driver` and `chromium`
//! packages put them at the defaults, and `scripts/test` installs them when it can.

use std::future::Future;
use std::panic::resume_unwind;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// Where Debian's `chromium-driver` puts chromedriver.
const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where Debian's `chromium` puts the browser.
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
/// How long an element may take to appear (a page load, a redirect after a form).
const FIND_TIMEOUT: Duration = Duration::from_secs(10);

/// A desktop window, as the staff's workstations have.
pub const DESKTOP: (u32, u32) = (1280, 900);
/// A common phone screen, in CSS pixels.
pub const PHONE: (u32, u32) = (390, 844);
/// Headless Chromium's narrowest window; narrower screens are emulated.
const MIN_WINDOW: u32 = 500;

/// A chromedriver process on a free local port, killed when dropped.
pub struct Chromedriver {
    child: Child,
    url: String,
}

/// A path from an environment variable, or its default; panics (never skips) when the file
/// is not there.
fn executable(variable: &str, default: &str, package: &str) -> String {
    let path = std::env::var(variable).unwrap_or_else(|_| default.to_owned());
    assert!(
        Path::new(&path).is_file(),
        "{path} not found: the browser tests need Debian's `{package}` package \
         (`apt-get install chromium chromium-driver`; scripts/test installs it when run as \
         root) or {variable} pointing at it. Browser tests never skip."
    );
    path
}

/// A port nobody listens on now. Another process could take it before chromedriver does;
/// on a test machine that is rare enough, and the start then fails loudly.
/// Where Chromium saves the files this test process downloads.
pub fn download_dir() -> PathBuf {
    std::env::temp_dir().join(format!("motcua-browser-downloads-{}", std::process::id()))
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl Chromedriver {
    /// Starts chromedriver (from `MOTCUA_CHROMEDRIVER`, default `/usr/bin/chromedriver`).
    pub fn start() -> Chromedriver {
        let path = executable(
            "MOTCUA_CHROMEDRIVER",
            DEFAULT_CHROMEDRIVER,
            "chromium-driver",
        );
        let port = free_port();
        let child = Command::new(&path)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {path}: {e}"));
        Chromedriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// A new headless Chromium session with a window of `size` (width, height) pixels.
    pub async fn session(&self, size: (u32, u32)) -> Client {
        let chromium = executable("MOTCUA_CHROMIUM", DEFAULT_CHROMIUM, "chromium");
        let mut options = json!({
            "binary": chromium,
            "args": [
                "--headless=new",
                // Root in a container has no user namespaces for the sandbox.
                "--no-sandbox",
                // /dev/shm is small in containers; Chromium then crashes on big pages.
                "--disable-dev-shm-usage",
                "--disable-gpu",
                // The machine's network is closed: no background requests to Google.
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                format!("--window-size={},{}", size.0.max(MIN_WINDOW), size.1),
            ],
        });
        // Downloads land in a folder of this test process's, without asking.
        let downloads = download_dir();
        std::fs::create_dir_all(&downloads).unwrap();
        options["prefs"] = json!({
            "download.default_directory": downloads,
            "download.prompt_for_download": false,
            "download.directory_upgrade": true,
        });
        if size.0 < MIN_WINDOW {
            // Narrower than a window can be: emulate the phone's screen instead.
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": size.0, "height": size.1, "pixelRatio": 3.0, "touch": true },
            });
        }
        let mut capabilities = Capabilities::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        // chromedriver takes a moment to listen; keep trying until it does.
        let started = Instant::now();
        loop {
            match builder.connect(&self.url).await {
                Ok(client) => return client,
                Err(_) if started.elapsed() < Duration::from_secs(20) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("no Chromium session from chromedriver at {}: {e}", self.url),
            }
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `journey` in a new Chromium window of `size` against the application at `base`.
///
/// On failure it saves a screenshot and the page's HTML as
/// `target/browser-screenshots/{name}.png` and `.html`, closes the browser, then fails with
/// the journey's own panic.
pub async fn in_chromium<F, Fut>(name: &str, base: &str, size: (u32, u32), journey: F)
where
    F: FnOnce(Tab) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let driver = Chromedriver::start();
    let client = driver.session(size).await;
    let tab = Tab {
        client: client.clone(),
        base: base.to_owned(),
    };
    // A spawned task turns the journey's panic into a value, so the browser is closed (and
    // the evidence kept) before the test fails.
    let outcome = tokio::spawn(journey(tab)).await;
    if outcome.is_err() {
        save_evidence(&client, name).await;
    }
    let _ = client.close().await;
    drop(driver);
    if let Err(failure) = outcome {
        resume_unwind(failure.into_panic());
    }
}

/// Saves a screenshot and the HTML of the current page under `target/browser-screenshots/`.
async fn save_evidence(client: &Client, name: &str) {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    let dir = target.join("browser-screenshots");
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let dir = dir.canonicalize().unwrap_or(dir);
    if let Ok(png) = client.screenshot().await {
        let path = dir.join(format!("{name}.png"));
        if std::fs::write(&path, png).is_ok() {
            eprintln!("screenshot of the failing page: {}", path.display());
        }
    }
    if let Ok(html) = client.source().await {
        let _ = std::fs::write(dir.join(format!("{name}.html")), html);
    }
}

/// One browser window on the application, with the steps a user takes: open, type,
/// choose, press, follow, read.
#[derive(Clone)]
pub struct Tab {
    /// The WebDriver session.
    pub client: Client,
    /// The application's address, `http://127.0.0.1:PORT`.
    base: String,
}

impl Tab {
    /// Opens `path` of the application.
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
        self.check_page().await;
    }

    /// What every page must be: rendered by the server and working without JavaScript.
    async fn check_page(&self) {
        let scripts = self.run("return document.scripts.length;").await;
        assert_eq!(
            scripts,
            json!(0),
            "{}: pages work without JavaScript and carry none",
            self.path().await
        );
    }

    /// Runs `script` in the page and returns its value.
    pub async fn run(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// The path and query of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(FIND_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!("no `{css}` on {}: {e}", self.path().await),
        }
    }

    /// The visible text of the first element matching `css`.
    pub async fn text_of(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.text_of("body").await
    }

    /// Asserts the page shows `needle`.
    pub async fn expect(&self, needle: &str) {
        let text = self.text().await;
        assert!(
            text.contains(needle),
            "«{needle}» is not on {}:\n{text}",
            self.path().await
        );
    }

    /// Asserts the page does not show `needle`.
    pub async fn expect_no(&self, needle: &str) {
        let text = self.text().await;
        assert!(
            !text.contains(needle),
            "«{needle}» should not be on {}",
            self.path().await
        );
    }

    /// The page's main heading.
    pub async fn heading(&self) -> String {
        self.text_of("h1").await
    }

    /// Types `value` into the field `#id`, replacing what it held.
    pub async fn fill(&self, id: &str, value: &str) {
        let field = self.find(&format!("#{id}")).await;
        field.clear().await.unwrap();
        field
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("cannot type into #{id}: {e}"));
    }

    /// The current value of the field `#id`.
    pub async fn value(&self, id: &str) -> String {
        self.find(&format!("#{id}"))
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// Chooses the option labelled `label` in the list `#id`.
    pub async fn choose(&self, id: &str, label: &str) {
        self.find(&format!("#{id}"))
            .await
            .select_by_label(label)
            .await
            .unwrap_or_else(|e| panic!("no option «{label}» in #{id}: {e}"));
    }

    /// Attaches the file at `path` to the file input `#id`.
    pub async fn attach(&self, id: &str, path: &Path) {
        self.find(&format!("#{id}"))
            .await
            .send_keys(&path.display().to_string())
            .await
            .unwrap_or_else(|e| panic!("cannot attach {} to #{id}: {e}", path.display()));
    }

    /// Ticks the checkbox or radio button matching `css` (unless it is already ticked).
    pub async fn tick(&self, css: &str) {
        let input = self.find(css).await;
        if !input.is_selected().await.unwrap() {
            input
                .click()
                .await
                .unwrap_or_else(|e| panic!("cannot click `{css}`: {e}"));
        }
        assert!(input.is_selected().await.unwrap(), "`{css}` is not ticked");
    }

    /// Clicks the button matching `css`, and waits for the page it loads.
    pub async fn submit(&self, css: &str) {
        let button = self.find(css).await;
        self.navigate(button, css).await;
    }

    /// Presses the button whose text is `label`, as a user does, and waits for the page it
    /// loads.
    pub async fn press(&self, label: &str) {
        let xpath = format!("//button[normalize-space()='{label}']");
        let button = match self
            .client
            .wait()
            .at_most(FIND_TIMEOUT)
            .for_element(Locator::XPath(&xpath))
            .await
        {
            Ok(button) => button,
            Err(e) => panic!("no button «{label}» on {}: {e}", self.path().await),
        };
        self.navigate(button, label).await;
    }

    /// Follows the link whose text is exactly `text`, and waits for the page it loads.
    pub async fn follow(&self, text: &str) {
        let link = match self
            .client
            .wait()
            .at_most(FIND_TIMEOUT)
            .for_element(Locator::LinkText(text))
            .await
        {
            Ok(link) => link,
            Err(e) => panic!("no link «{text}» on {}: {e}", self.path().await),
        };
        self.navigate(link, text).await;
    }

    /// Clicks `target` and waits until another page has replaced this one and finished
    /// loading. WebDriver's click returns once the click is dispatched; the URL may change
    /// before the new document does, so the old document's root going stale is the signal.
    async fn navigate(&self, target: Element, what: &str) {
        let old = self.find("html").await;
        target
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click «{what}»: {e}"));
        let started = Instant::now();
        while old.tag_name().await.is_ok() {
            assert!(
                started.elapsed() < FIND_TIMEOUT,
                "«{what}» did not lead to another page"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        while self.run("return document.readyState;").await != json!("complete") {
            assert!(
                started.elapsed() < FIND_TIMEOUT,
                "the page after «{what}» did not finish loading"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.check_page().await;
    }

    /// Follows the first link matching `css`, and waits for the page it loads.
    pub async fn click(&self, css: &str) {
        let link = self.find(css).await;
        self.navigate(link, css).await;
    }

    /// Clicks the first link matching `css`, a download, and waits until Chromium has
    /// written a whole file ending in `.{extension}` to [`download_dir`]; returns its path.
    pub async fn download(&self, css: &str, extension: &str) -> PathBuf {
        let dir = download_dir();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click «{css}»: {e}"));
        let started = Instant::now();
        loop {
            // Chromium writes `….crdownload` first and renames it when complete.
            let done = std::fs::read_dir(&dir)
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == extension));
            if let Some(path) = done {
                return path;
            }
            assert!(
                started.elapsed() < FIND_TIMEOUT,
                "«{css}» downloaded no .{extension} into {}",
                dir.display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Forgets every cookie: the next person at this browser is signed out.
    pub async fn forget(&self) {
        self.client.delete_all_cookies().await.unwrap();
    }
}
