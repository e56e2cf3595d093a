//! Trigger Cloudflare Workers Builds deploy hooks and follow the builds they start: a thin binding of
//! `libdeployhook`, the C ABI of this repository's Swift library. Every rule, message and number comes
//! from the library; this crate only converts between Rust and C.
//!
//! ```no_run
//! use deployhook::{Client, Event, Options};
//!
//! let client = Client::new(Options::new().api_token("...").account_id("..."))?;
//! let build = client.trigger(&std::env::var("CLOUDFLARE_DEPLOY_HOOK").unwrap_or_default())?;
//! println!("build {:?}: {}", build.build_uuid, build.status);
//! let done = client.wait(&build, |event| match event {
//!     Event::Status { status, .. } => println!("status {}", status),
//!     Event::Log { line, .. } => println!("| {}", line),
//!     _ => {}
//! })?;
//! println!("{:?}", done.outcome);
//! # Ok::<(), deployhook::Error>(())
//! ```
//!
//! Deploy hooks and API tokens are secrets: no `Debug` or `Display` form of this crate's types holds one
//! (the library's messages never do, and [`Options`] prints its token as `<redacted>`).

#![warn(missing_docs)]

use std::any::Any;
use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::{c_char, c_int, c_long, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};
use std::sync::Arc;
use std::time::Duration;

/// The C ABI, generated from `include/deployhook.json` by `generate_ffi.py`: every function, constant and
/// type of `deployhook.h`, for what this crate does not wrap.
#[allow(non_camel_case_types, non_upper_case_globals, missing_docs, clippy::all)]
#[rustfmt::skip]
pub mod ffi;

// ---------------------------------------------------------------------------------------------------
// Enums: numbers from C, never transmuted; a number this version does not know is `Unknown(n)`.

/// The kind of a failure (`deployhook_error`); [`ErrorKind::name`] is the library's name for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A bad hook, option or argument; nothing was sent.
    InvalidArgument,
    /// No such deploy hook (HTTP 404, Cloudflare code 12000); while following a build, no such build or account.
    NotFound,
    /// Rate limited (HTTP 429, code 12051), after retries.
    RateLimited,
    /// Any other Cloudflare error envelope (`success: false`); see [`Error::api_code`].
    Api,
    /// A non-2xx answer with no Cloudflare envelope, after retries; see [`Error::http_status`].
    Http,
    /// Could not resolve, connect, send or receive.
    Network,
    /// The connect timeout or the total deadline passed.
    Timeout,
    /// TLS handshake or certificate verification failed.
    Tls,
    /// A malformed, unreadable or oversized (> 1 MiB) response.
    Response,
    /// A bug or resource failure inside the library.
    Internal,
    /// Waiting for a build: it did not stop before the wait timeout.
    WaitTimeout,
    /// The call was interrupted ([`Interrupter::interrupt`]).
    Cancelled,
    /// Following a build needs an API token and an account ID: one is missing or malformed; nothing was sent.
    NoCredentials,
    /// A code this version of the crate does not know (a newer library's).
    Unknown(i32),
}

impl ErrorKind {
    /// The kind of a `deployhook_error` number.
    pub fn from_code(code: i32) -> ErrorKind {
        match code {
            ffi::DEPLOYHOOK_ERR_INVALID_ARGUMENT => ErrorKind::InvalidArgument,
            ffi::DEPLOYHOOK_ERR_NOT_FOUND => ErrorKind::NotFound,
            ffi::DEPLOYHOOK_ERR_RATE_LIMITED => ErrorKind::RateLimited,
            ffi::DEPLOYHOOK_ERR_API => ErrorKind::Api,
            ffi::DEPLOYHOOK_ERR_HTTP => ErrorKind::Http,
            ffi::DEPLOYHOOK_ERR_NETWORK => ErrorKind::Network,
            ffi::DEPLOYHOOK_ERR_TIMEOUT => ErrorKind::Timeout,
            ffi::DEPLOYHOOK_ERR_TLS => ErrorKind::Tls,
            ffi::DEPLOYHOOK_ERR_RESPONSE => ErrorKind::Response,
            ffi::DEPLOYHOOK_ERR_INTERNAL => ErrorKind::Internal,
            ffi::DEPLOYHOOK_ERR_WAIT_TIMEOUT => ErrorKind::WaitTimeout,
            ffi::DEPLOYHOOK_ERR_CANCELLED => ErrorKind::Cancelled,
            ffi::DEPLOYHOOK_ERR_NO_CREDENTIALS => ErrorKind::NoCredentials,
            other => ErrorKind::Unknown(other),
        }
    }

    /// The `deployhook_error` number.
    pub fn code(self) -> i32 {
        match self {
            ErrorKind::InvalidArgument => ffi::DEPLOYHOOK_ERR_INVALID_ARGUMENT,
            ErrorKind::NotFound => ffi::DEPLOYHOOK_ERR_NOT_FOUND,
            ErrorKind::RateLimited => ffi::DEPLOYHOOK_ERR_RATE_LIMITED,
            ErrorKind::Api => ffi::DEPLOYHOOK_ERR_API,
            ErrorKind::Http => ffi::DEPLOYHOOK_ERR_HTTP,
            ErrorKind::Network => ffi::DEPLOYHOOK_ERR_NETWORK,
            ErrorKind::Timeout => ffi::DEPLOYHOOK_ERR_TIMEOUT,
            ErrorKind::Tls => ffi::DEPLOYHOOK_ERR_TLS,
            ErrorKind::Response => ffi::DEPLOYHOOK_ERR_RESPONSE,
            ErrorKind::Internal => ffi::DEPLOYHOOK_ERR_INTERNAL,
            ErrorKind::WaitTimeout => ffi::DEPLOYHOOK_ERR_WAIT_TIMEOUT,
            ErrorKind::Cancelled => ffi::DEPLOYHOOK_ERR_CANCELLED,
            ErrorKind::NoCredentials => ffi::DEPLOYHOOK_ERR_NO_CREDENTIALS,
            ErrorKind::Unknown(code) => code,
        }
    }

    /// The library's name of the code (`deployhook_error_name`), e.g. `DEPLOYHOOK_ERR_NOT_FOUND`;
    /// `DEPLOYHOOK_ERR_UNKNOWN` for a number it does not know.
    pub fn name(self) -> &'static str {
        static_text(unsafe { ffi::deployhook_error_name(self.code()) })
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The state of a build as Cloudflare reported it (`deployhook_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// `queued`
    Queued,
    /// `initializing`
    Initializing,
    /// `running`
    Running,
    /// `stopped`
    Stopped,
    /// Absent or not recognised (the library's `DEPLOYHOOK_STATUS_UNKNOWN`, 0), or a number this version
    /// of the crate does not know.
    Unknown(i32),
}

impl Status {
    /// The status of a `deployhook_status` number.
    pub fn from_code(code: i32) -> Status {
        match code {
            ffi::DEPLOYHOOK_STATUS_QUEUED => Status::Queued,
            ffi::DEPLOYHOOK_STATUS_INITIALIZING => Status::Initializing,
            ffi::DEPLOYHOOK_STATUS_RUNNING => Status::Running,
            ffi::DEPLOYHOOK_STATUS_STOPPED => Status::Stopped,
            other => Status::Unknown(other),
        }
    }

    /// The `deployhook_status` number.
    pub fn code(self) -> i32 {
        match self {
            Status::Queued => ffi::DEPLOYHOOK_STATUS_QUEUED,
            Status::Initializing => ffi::DEPLOYHOOK_STATUS_INITIALIZING,
            Status::Running => ffi::DEPLOYHOOK_STATUS_RUNNING,
            Status::Stopped => ffi::DEPLOYHOOK_STATUS_STOPPED,
            Status::Unknown(code) => code,
        }
    }

    /// The API's word (`deployhook_status_name`), e.g. `queued`; `unknown` for any other number.
    pub fn name(self) -> &'static str {
        static_text(unsafe { ffi::deployhook_status_name(self.code()) })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a stopped build ended (`deployhook_outcome`, but for `DEPLOYHOOK_OUTCOME_NONE`, which is `None`
/// in [`Build::outcome`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// `success`: built and deployed.
    Success,
    /// `fail`
    Fail,
    /// `skipped`
    Skipped,
    /// `cancelled`
    Cancelled,
    /// `terminated` (e.g. the 20-minute build timeout).
    Terminated,
    /// A value the library does not know (its `DEPLOYHOOK_OUTCOME_UNKNOWN`, 6), or a number this version of
    /// the crate does not know.
    Unknown(i32),
}

impl Outcome {
    /// The outcome of a `deployhook_outcome` number; `None` for `DEPLOYHOOK_OUTCOME_NONE` (not stopped).
    pub fn from_code(code: i32) -> Option<Outcome> {
        Some(match code {
            ffi::DEPLOYHOOK_OUTCOME_NONE => return None,
            ffi::DEPLOYHOOK_OUTCOME_SUCCESS => Outcome::Success,
            ffi::DEPLOYHOOK_OUTCOME_FAIL => Outcome::Fail,
            ffi::DEPLOYHOOK_OUTCOME_SKIPPED => Outcome::Skipped,
            ffi::DEPLOYHOOK_OUTCOME_CANCELLED => Outcome::Cancelled,
            ffi::DEPLOYHOOK_OUTCOME_TERMINATED => Outcome::Terminated,
            other => Outcome::Unknown(other),
        })
    }

    /// The `deployhook_outcome` number.
    pub fn code(self) -> i32 {
        match self {
            Outcome::Success => ffi::DEPLOYHOOK_OUTCOME_SUCCESS,
            Outcome::Fail => ffi::DEPLOYHOOK_OUTCOME_FAIL,
            Outcome::Skipped => ffi::DEPLOYHOOK_OUTCOME_SKIPPED,
            Outcome::Cancelled => ffi::DEPLOYHOOK_OUTCOME_CANCELLED,
            Outcome::Terminated => ffi::DEPLOYHOOK_OUTCOME_TERMINATED,
            Outcome::Unknown(code) => code,
        }
    }

    /// The API's word (`deployhook_outcome_name`), e.g. `success`; `unknown` for any other number.
    pub fn name(self) -> &'static str {
        static_text(unsafe { ffi::deployhook_outcome_name(self.code()) })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a wait reports to its closure, on the waiting thread (`deployhook_wait_callback`).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// The build's status changed (the first poll always reports); the last one is `Stopped`.
    Status {
        /// The new status.
        status: Status,
        /// The build's UUID.
        build_uuid: String,
    },
    /// A new line of the build's log (only when the wait follows the logs).
    Log {
        /// The line.
        line: String,
        /// Its time, in seconds since 1970.
        timestamp: f64,
        /// The last status reported.
        status: Status,
    },
    /// An event number this version of the crate does not know, with what came with it.
    Unknown {
        /// The `deployhook_event` number.
        event: i32,
        /// The status that came with it.
        status: Status,
        /// The text that came with it.
        text: String,
        /// The timestamp that came with it.
        timestamp: f64,
    },
}

// ---------------------------------------------------------------------------------------------------
// Errors

/// A failure: its [`kind`](Error::kind), the library's message (`Display`), and what the last answer
/// carried. Never holds a hook or a token (the library's messages never do).
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    api_code: Option<i32>,
    http_status: Option<i32>,
    cf_ray: Option<String>,
    build_uuid: Option<String>,
}

impl Error {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The library's explanation (also what `Display` shows).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Cloudflare's first error code from the answer (e.g. 12000 not found), when it carried one.
    pub fn api_code(&self) -> Option<i32> {
        self.api_code
    }

    /// The HTTP status of the last answer, when one arrived.
    pub fn http_status(&self) -> Option<i32> {
        self.http_status
    }

    /// The `cf-ray` header of the last answer (Cloudflare's request id, for support), when present.
    pub fn cf_ray(&self) -> Option<&str> {
        self.cf_ray.as_deref()
    }

    /// The build the failed call was about, when known: after `trigger_and_wait`, the build the trigger
    /// started even though the wait failed (e.g. [`ErrorKind::WaitTimeout`]), so that it can be cancelled.
    pub fn build_uuid(&self) -> Option<&str> {
        self.build_uuid.as_deref()
    }

    /// The error a failing setter, `deployhook_trigger_many` or allocation left: `code` with the reason
    /// `deployhook_last_error_message` gives (else the code's name).
    fn last(code: c_int) -> Error {
        let message = unsafe { text(ffi::deployhook_last_error_message()) };
        Error::new(ErrorKind::from_code(code), message.unwrap_or_else(|| ErrorKind::from_code(code).name().to_owned()))
    }

    /// A NULL from the library: it was out of memory. The message is the code's name.
    fn out_of_memory() -> Error {
        Error::new(ErrorKind::Internal, ErrorKind::Internal.name().to_owned())
    }

    fn new(kind: ErrorKind, message: String) -> Error {
        Error { kind, message, api_code: None, http_status: None, cf_ray: None, build_uuid: None }
    }

    /// A string argument holding a NUL byte, which a C string cannot carry (the argument is not quoted).
    fn nul(what: &str) -> Error {
        Error::new(ErrorKind::InvalidArgument, format!("the {} contains a NUL character", what))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

// ---------------------------------------------------------------------------------------------------
// Builds

/// A build, as a trigger, wait or cancel left it: every accessor of the result, copied.
/// Timestamps are ISO 8601 strings as Cloudflare sent them.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Build {
    /// The build's UUID.
    pub build_uuid: Option<String>,
    /// Its status (`Unknown(0)` when absent or not recognised).
    pub status: Status,
    /// Whether a build for the branch was already pending, so none was started; `None` when not said.
    pub already_exists: Option<bool>,
    /// When it was created.
    pub created_on: Option<String>,
    /// The `cf-ray` header of the last answer.
    pub cf_ray: Option<String>,
    /// The HTTP status of the last answer.
    pub http_status: Option<i32>,
    /// How it ended; `None` until a wait or cancel saw it stop.
    pub outcome: Option<Outcome>,
    /// Its preview URL (after a wait).
    pub preview_url: Option<String>,
    /// When it stopped.
    pub stopped_on: Option<String>,
    /// After [`Client::cancel`]: whether it had stopped before (its outcome is how it ended); else `None`.
    pub already_stopped: Option<bool>,
    /// The branch built, e.g. `main`.
    pub branch: Option<String>,
    /// The commit built (40 hex digits).
    pub commit_hash: Option<String>,
    /// The commit's message.
    pub commit_message: Option<String>,
    /// Who made the commit or triggered the build.
    pub author: Option<String>,
    /// What triggered it: `push`, `pull_request`, `manual`, `api` or `deploy_hook`.
    pub trigger_source: Option<String>,
    /// The name of the deploy hook that started it.
    pub deploy_hook_name: Option<String>,
    /// The name of the build trigger it ran under.
    pub trigger_name: Option<String>,
    /// When it started initializing.
    pub initializing_on: Option<String>,
    /// When it started running.
    pub running_on: Option<String>,
    /// When its record last changed.
    pub modified_on: Option<String>,
    response_body: Option<Vec<u8>>,
}

impl Build {
    /// The raw body of the last answer, exactly as the server sent it (at most 1 MiB). Unlike everything
    /// else here it is not scrubbed: a server may echo the hook in it (see SECURITY.md). Left out of `Debug`.
    pub fn response_body(&self) -> Option<&[u8]> {
        self.response_body.as_deref()
    }
}

impl fmt::Debug for Build {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Build")
            .field("build_uuid", &self.build_uuid)
            .field("status", &self.status)
            .field("already_exists", &self.already_exists)
            .field("created_on", &self.created_on)
            .field("cf_ray", &self.cf_ray)
            .field("http_status", &self.http_status)
            .field("outcome", &self.outcome)
            .field("preview_url", &self.preview_url)
            .field("stopped_on", &self.stopped_on)
            .field("already_stopped", &self.already_stopped)
            .field("branch", &self.branch)
            .field("commit_hash", &self.commit_hash)
            .field("commit_message", &self.commit_message)
            .field("author", &self.author)
            .field("trigger_source", &self.trigger_source)
            .field("deploy_hook_name", &self.deploy_hook_name)
            .field("trigger_name", &self.trigger_name)
            .field("initializing_on", &self.initializing_on)
            .field("running_on", &self.running_on)
            .field("modified_on", &self.modified_on)
            .finish_non_exhaustive()
    }
}

/// Something that names a build for [`Client::wait`] and [`Client::cancel`]: a [`Build`] or its UUID.
pub trait BuildId {
    /// The build's UUID; `None` is passed to the library as NULL (which it rejects).
    fn build_uuid(&self) -> Option<&str>;
}

impl BuildId for Build {
    fn build_uuid(&self) -> Option<&str> {
        self.build_uuid.as_deref()
    }
}

impl BuildId for str {
    fn build_uuid(&self) -> Option<&str> {
        Some(self)
    }
}

impl BuildId for String {
    fn build_uuid(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: BuildId + ?Sized> BuildId for &T {
    fn build_uuid(&self) -> Option<&str> {
        (**self).build_uuid()
    }
}

// ---------------------------------------------------------------------------------------------------
// Options and the client

/// Settings for a [`Client`]; each one left unset keeps the library's default (see `deployhook.h`).
/// Nothing is checked here: [`Client::new`] hands each setting to the library, which accepts or rejects it.
/// `Debug` shows the API token as `<redacted>`.
#[derive(Clone, Default)]
pub struct Options {
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_retries: Option<u32>,
    max_concurrency: Option<u32>,
    ca_file: Option<PathBuf>,
    user_agent: Option<String>,
    api_token: Option<String>,
    account_id: Option<String>,
    wait_timeout: Option<Duration>,
}

impl Options {
    /// Every default: the API base from `CLOUDFLARE_BASE_URL` or Cloudflare's, a 60 s deadline, 2 retries...
    pub fn new() -> Options {
        Options::default()
    }

    /// The API base URL, e.g. `http://127.0.0.1:8787/client/v4` (beats `CLOUDFLARE_BASE_URL`).
    pub fn base_url(mut self, url: impl Into<String>) -> Options {
        self.base_url = Some(url.into());
        self
    }

    /// The total deadline of a call, retries included (whole milliseconds, 1 ms to 24 h; default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Options {
        self.timeout = Some(timeout);
        self
    }

    /// The limit on each connection attempt (whole milliseconds, 1 ms to 24 h; default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Options {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How many times a failed attempt is retried, 0 to 100 (default 2).
    pub fn max_retries(mut self, retries: u32) -> Options {
        self.max_retries = Some(retries);
        self
    }

    /// How many triggers [`Client::trigger_many`] runs at once, 1 to 256 (default 8).
    pub fn max_concurrency(mut self, n: u32) -> Options {
        self.max_concurrency = Some(n);
        self
    }

    /// A PEM file of CA certificates to trust instead of the system's.
    pub fn ca_file(mut self, path: impl AsRef<Path>) -> Options {
        self.ca_file = Some(path.as_ref().to_path_buf());
        self
    }

    /// The User-Agent header (default the library's `deployhook/VERSION (rust; OS)`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Options {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The API token used to follow builds (beats `CLOUDFLARE_API_TOKEN`). A secret: never printed.
    pub fn api_token(mut self, token: impl Into<String>) -> Options {
        self.api_token = Some(token.into());
        self
    }

    /// The account whose builds are followed (beats `CLOUDFLARE_ACCOUNT_ID`).
    pub fn account_id(mut self, account_id: impl Into<String>) -> Options {
        self.account_id = Some(account_id.into());
        self
    }

    /// How long waiting for a build may take in all (whole milliseconds, 1 ms to 24 h; default 25 min).
    pub fn wait_timeout(mut self, timeout: Duration) -> Options {
        self.wait_timeout = Some(timeout);
        self
    }

    /// Hands every setting to the library's setters, in this order; the first one rejected is the error.
    fn apply(&self, options: *mut ffi::deployhook_options) -> Result<(), Error> {
        unsafe {
            if let Some(url) = &self.base_url {
                set(ffi::deployhook_options_set_base_url(options, c_string(url, "base URL")?.as_ptr()))?;
            }
            if let Some(timeout) = self.timeout {
                set(ffi::deployhook_options_set_timeout_ms(options, milliseconds(timeout)))?;
            }
            if let Some(timeout) = self.connect_timeout {
                set(ffi::deployhook_options_set_connect_timeout_ms(options, milliseconds(timeout)))?;
            }
            if let Some(retries) = self.max_retries {
                set(ffi::deployhook_options_set_max_retries(options, count(retries)))?;
            }
            if let Some(n) = self.max_concurrency {
                set(ffi::deployhook_options_set_max_concurrency(options, count(n)))?;
            }
            if let Some(path) = &self.ca_file {
                set(ffi::deployhook_options_set_ca_file(options, path_string(path)?.as_ptr()))?;
            }
            if let Some(user_agent) = &self.user_agent {
                set(ffi::deployhook_options_set_user_agent(options, c_string(user_agent, "User-Agent")?.as_ptr()))?;
            }
            if let Some(token) = &self.api_token {
                set(ffi::deployhook_options_set_api_token(options, c_string(token, "API token")?.as_ptr()))?;
            }
            if let Some(account) = &self.account_id {
                set(ffi::deployhook_options_set_account_id(options, c_string(account, "account ID")?.as_ptr()))?;
            }
            if let Some(timeout) = self.wait_timeout {
                set(ffi::deployhook_options_set_wait_timeout_ms(options, milliseconds(timeout)))?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("max_concurrency", &self.max_concurrency)
            .field("ca_file", &self.ca_file)
            .field("user_agent", &self.user_agent)
            .field("api_token", &self.api_token.as_ref().map(|_| Redacted))
            .field("account_id", &self.account_id)
            .field("wait_timeout", &self.wait_timeout)
            .finish()
    }
}

struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// An owned `deployhook_options *`, freed when the last [`Client`] or [`Interrupter`] holding it goes.
struct OptionsHandle(NonNull<ffi::deployhook_options>);

// Safe: after Client::new the options are only ever read (calls, dup) and interrupted, which the library
// allows from any number of threads at once; no setter runs on them any more.
unsafe impl Send for OptionsHandle {}
unsafe impl Sync for OptionsHandle {}

impl Drop for OptionsHandle {
    fn drop(&mut self) {
        unsafe { ffi::deployhook_options_free(self.0.as_ptr()) }
    }
}

impl OptionsHandle {
    fn new(options: *mut ffi::deployhook_options) -> Result<OptionsHandle, Error> {
        match NonNull::new(options) {
            Some(options) => Ok(OptionsHandle(options)),
            None => Err(Error::out_of_memory()),
        }
    }
}

/// Triggers deploy hooks and follows builds with fixed settings (a `deployhook_options`), reusing its
/// connections from call to call. `Send + Sync`: share it between threads (e.g. in an `Arc`); each call
/// blocks only its own thread.
pub struct Client {
    options: Arc<OptionsHandle>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// A client with `options`; the error is the first setting the library rejected, with its reason.
    /// The library's default User-Agent names the binding, `rust` (`deployhook_options_set_binding_name`).
    pub fn new(options: Options) -> Result<Client, Error> {
        let handle = OptionsHandle::new(unsafe { ffi::deployhook_options_new() })?;
        set(unsafe {
            ffi::deployhook_options_set_binding_name(handle.0.as_ptr(), b"rust\0".as_ptr() as *const c_char)
        })?;
        options.apply(handle.0.as_ptr())?;
        Ok(Client { options: Arc::new(handle) })
    }

    /// A client with the same settings, sharing this one's open connections, with an interrupter of its
    /// own (`deployhook_options_dup`): the way to stop one call without stopping the others, e.g. a
    /// `dup()` per thread or per call.
    pub fn dup(&self) -> Result<Client, Error> {
        let handle = OptionsHandle::new(unsafe { ffi::deployhook_options_dup(self.raw()) })?;
        Ok(Client { options: Arc::new(handle) })
    }

    /// What stops this client's calls in flight from another thread (or from a wait's closure).
    pub fn interrupter(&self) -> Interrupter {
        Interrupter { options: Arc::clone(&self.options) }
    }

    /// The `deployhook_options *` behind this client, for [`ffi`] calls; valid while the client lives.
    /// Calling a setter on it while another thread uses the client is not allowed.
    pub fn as_ptr(&self) -> *const ffi::deployhook_options {
        self.raw()
    }

    fn raw(&self) -> *const ffi::deployhook_options {
        self.options.0.as_ptr()
    }

    /// Triggers the deploy hook `hook` (its UUID or full trigger URL) and returns the build it started
    /// or found pending (`deployhook_trigger_with`). Blocks until the outcome is known.
    pub fn trigger(&self, hook: &str) -> Result<Build, Error> {
        let hook = c_string(hook, "deploy hook")?;
        read(unsafe { ffi::deployhook_trigger_with(hook.as_ptr(), self.raw()) })
    }

    /// Triggers every hook concurrently (`deployhook_trigger_many`); returns each one's build or error in
    /// input order. The outer error is the call's own failure (e.g. over 1,000,000 hooks).
    pub fn trigger_many<I>(&self, hooks: I) -> Result<Vec<Result<Build, Error>>, Error>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let hooks: Vec<Result<CString, Error>> =
            hooks.into_iter().map(|hook| c_string(hook.as_ref(), "deploy hook")).collect();
        let pointers: Vec<*const c_char> =
            hooks.iter().map(|hook| hook.as_ref().map_or(ptr::null(), |hook| hook.as_ptr())).collect();
        let mut results: Vec<*mut ffi::deployhook_result> = vec![ptr::null_mut(); hooks.len()];
        let code = unsafe {
            ffi::deployhook_trigger_many(pointers.as_ptr(), pointers.len(), self.raw(), results.as_mut_ptr())
        };
        if code != ffi::DEPLOYHOOK_OK {
            return Err(Error::last(code));
        }
        let owned: Vec<_> = results.into_iter().map(owned_result).collect(); // every result freed, whatever happens
        Ok(hooks
            .into_iter()
            .zip(owned)
            .map(|(hook, result)| match hook {
                Err(error) => Err(error), // the library's own error for its NULL is not the reason
                Ok(_) => result.and_then(Owned::into_build),
            })
            .collect())
    }

    /// Waits for `build` (a [`Build`] or a build UUID) to stop (`deployhook_wait`), following its logs:
    /// `on_event` hears each status change and each new log line, on this thread. Returns the build with
    /// its final status, outcome, preview URL and stop time.
    ///
    /// The wait runs on options of its own, linked to the client's (`deployhook_options_dup_linked`): the
    /// client's [`Interrupter`] still ends it. A panic in `on_event` does not cross the library's frames: it
    /// is caught, later events are dropped, the wait's own options are shut down
    /// (`deployhook_options_shut_down`: that wait ends at once, the client's other calls go on), and the
    /// panic resumes once the call returned.
    pub fn wait<B, F>(&self, build: &B, on_event: F) -> Result<Build, Error>
    where
        B: BuildId + ?Sized,
        F: FnMut(Event),
    {
        self.follow(ffi::deployhook_wait, build.build_uuid(), "build UUID", true, on_event)
    }

    /// [`Client::wait`] without fetching the logs: `on_event` hears status changes only.
    pub fn wait_without_logs<B, F>(&self, build: &B, on_event: F) -> Result<Build, Error>
    where
        B: BuildId + ?Sized,
        F: FnMut(Event),
    {
        self.follow(ffi::deployhook_wait, build.build_uuid(), "build UUID", false, on_event)
    }

    /// Triggers `hook`, then waits for the build as [`Client::wait`] does (`deployhook_trigger_and_wait`).
    /// When the wait fails, [`Error::build_uuid`] still names the build.
    pub fn trigger_and_wait<F>(&self, hook: &str, on_event: F) -> Result<Build, Error>
    where
        F: FnMut(Event),
    {
        self.follow(ffi::deployhook_trigger_and_wait, Some(hook), "deploy hook", true, on_event)
    }

    /// [`Client::trigger_and_wait`] without fetching the logs.
    pub fn trigger_and_wait_without_logs<F>(&self, hook: &str, on_event: F) -> Result<Build, Error>
    where
        F: FnMut(Event),
    {
        self.follow(ffi::deployhook_trigger_and_wait, Some(hook), "deploy hook", false, on_event)
    }

    /// Cancels `build` (`deployhook_cancel_build`); returns it stopped, with its outcome
    /// ([`Outcome::Cancelled`] when this call cancelled it) and [`Build::already_stopped`].
    pub fn cancel<B: BuildId + ?Sized>(&self, build: &B) -> Result<Build, Error> {
        let uuid = optional_c_string(build.build_uuid(), "build UUID")?;
        read(unsafe { ffi::deployhook_cancel_build(as_ptr(&uuid), self.raw()) })
    }

    fn follow<F: FnMut(Event)>(
        &self,
        function: WaitFunction,
        target: Option<&str>,
        what: &str,
        follow_logs: bool,
        on_event: F,
    ) -> Result<Build, Error> {
        let target = optional_c_string(target, what)?;
        let own = OptionsHandle::new(unsafe { ffi::deployhook_options_dup_linked(self.raw()) })?;
        let mut relay = Relay { on_event, panic: None, options: own.0.as_ptr() };
        let result = unsafe {
            function(
                as_ptr(&target),
                own.0.as_ptr(),
                c_int::from(follow_logs),
                Some(relay_event::<F>),
                &mut relay as *mut Relay<F> as *mut c_void,
            )
        };
        let outcome = read(result); // frees the result before a panic resumes
        if let Some(payload) = relay.panic.take() {
            panic::resume_unwind(payload);
        }
        outcome
    }
}

type WaitFunction = unsafe extern "C" fn(
    *const c_char,
    *const ffi::deployhook_options,
    c_int,
    ffi::deployhook_wait_callback,
    *mut c_void,
) -> *mut ffi::deployhook_result;

/// What `relay_event` needs: the closure, the panic it caught, the wait's own options to shut down then.
struct Relay<F> {
    on_event: F,
    panic: Option<Box<dyn Any + Send + 'static>>,
    options: *const ffi::deployhook_options,
}

/// The `deployhook_wait_callback`: calls the closure; never unwinds into the library.
unsafe extern "C" fn relay_event<F: FnMut(Event)>(
    event: c_int,
    status: c_int,
    text: *const c_char,
    timestamp: f64,
    user_data: *mut c_void,
) {
    let relay = &mut *(user_data as *mut Relay<F>);
    if relay.panic.is_some() {
        return;
    }
    let on_event = &mut relay.on_event;
    let caught = panic::catch_unwind(AssertUnwindSafe(|| {
        let status = Status::from_code(status);
        let text = if text.is_null() { String::new() } else { CStr::from_ptr(text).to_string_lossy().into_owned() };
        on_event(match event {
            ffi::DEPLOYHOOK_EVENT_STATUS => Event::Status { status, build_uuid: text },
            ffi::DEPLOYHOOK_EVENT_LOG => Event::Log { line: text, timestamp, status },
            event => Event::Unknown { event, status, text, timestamp },
        })
    }));
    if let Err(payload) = caught {
        relay.panic = Some(payload);
        ffi::deployhook_options_shut_down(relay.options);
    }
}

/// Stops the calls in flight on one [`Client`] (waits included, which run on options linked to the
/// client's; not those of a [`dup`](Client::dup) of it) from any thread, within 100 ms, with
/// [`ErrorKind::Cancelled`] (`deployhook_options_interrupt`).
/// Calls that begin afterwards are not affected. Keeps the client's options alive while it exists.
#[derive(Clone)]
pub struct Interrupter {
    options: Arc<OptionsHandle>,
}

impl Interrupter {
    /// Ends every call in flight on the client (trigger, trigger_many, wait, cancel) with
    /// [`ErrorKind::Cancelled`]. Also from inside a wait's closure, to stop that wait.
    pub fn interrupt(&self) {
        unsafe {
            ffi::deployhook_options_interrupt(self.options.0.as_ptr());
        }
    }
}

impl fmt::Debug for Interrupter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interrupter").finish_non_exhaustive()
    }
}

/// Triggers `hook` with the library's defaults (`deployhook_trigger`: `CLOUDFLARE_BASE_URL` honoured,
/// no connection kept for later).
pub fn trigger(hook: &str) -> Result<Build, Error> {
    let hook = c_string(hook, "deploy hook")?;
    read(unsafe { ffi::deployhook_trigger(hook.as_ptr()) })
}

/// The library's version (`deployhook_version`), e.g. `0.2.0`.
pub fn version() -> &'static str {
    static_text(unsafe { ffi::deployhook_version() })
}

/// The library's version as major * 1000000 + minor * 1000 + patch (`deployhook_version_number`).
pub fn version_number() -> i32 {
    unsafe { ffi::deployhook_version_number() }
}

// ---------------------------------------------------------------------------------------------------
// Conversions

/// An owned `deployhook_result *`, freed on drop.
struct Owned(NonNull<ffi::deployhook_result>);

impl Drop for Owned {
    fn drop(&mut self) {
        unsafe { ffi::deployhook_free_result(self.0.as_ptr()) }
    }
}

fn owned_result(result: *mut ffi::deployhook_result) -> Result<Owned, Error> {
    match NonNull::new(result) {
        Some(result) => Ok(Owned(result)),
        None => Err(Error::out_of_memory()),
    }
}

fn read(result: *mut ffi::deployhook_result) -> Result<Build, Error> {
    owned_result(result)?.into_build()
}

impl Owned {
    /// Copies everything out of the result (which is then freed): the build, or the error.
    fn into_build(self) -> Result<Build, Error> {
        let r = self.0.as_ptr() as *const ffi::deployhook_result;
        unsafe {
            let code = ffi::deployhook_error_code(r);
            if code != ffi::DEPLOYHOOK_OK {
                let kind = ErrorKind::from_code(code);
                return Err(Error {
                    kind,
                    message: text(ffi::deployhook_error_message(r)).unwrap_or_else(|| kind.name().to_owned()),
                    api_code: non_zero(ffi::deployhook_api_error_code(r)),
                    http_status: non_zero(ffi::deployhook_http_status(r)),
                    cf_ray: text(ffi::deployhook_cf_ray(r)),
                    build_uuid: text(ffi::deployhook_build_uuid(r)),
                });
            }
            let body = ffi::deployhook_response_body(r);
            Ok(Build {
                build_uuid: text(ffi::deployhook_build_uuid(r)),
                status: Status::from_code(ffi::deployhook_build_status(r)),
                already_exists: tri_state(ffi::deployhook_already_exists(r)),
                created_on: text(ffi::deployhook_created_on(r)),
                cf_ray: text(ffi::deployhook_cf_ray(r)),
                http_status: non_zero(ffi::deployhook_http_status(r)),
                outcome: Outcome::from_code(ffi::deployhook_build_outcome(r)),
                preview_url: text(ffi::deployhook_preview_url(r)),
                stopped_on: text(ffi::deployhook_stopped_on(r)),
                already_stopped: tri_state(ffi::deployhook_already_stopped(r)),
                branch: text(ffi::deployhook_branch(r)),
                commit_hash: text(ffi::deployhook_commit_hash(r)),
                commit_message: text(ffi::deployhook_commit_message(r)),
                author: text(ffi::deployhook_author(r)),
                trigger_source: text(ffi::deployhook_trigger_source(r)),
                deploy_hook_name: text(ffi::deployhook_deploy_hook_name(r)),
                trigger_name: text(ffi::deployhook_trigger_name(r)),
                initializing_on: text(ffi::deployhook_initializing_on(r)),
                running_on: text(ffi::deployhook_running_on(r)),
                modified_on: text(ffi::deployhook_modified_on(r)),
                response_body: if body.is_null() { None } else { Some(CStr::from_ptr(body).to_bytes().to_vec()) },
            })
        }
    }
}

/// A borrowed C string, copied (UTF-8 by the library's contract; lossy if it ever were not).
unsafe fn text(pointer: *const c_char) -> Option<String> {
    if pointer.is_null() {
        None
    } else {
        Some(CStr::from_ptr(pointer).to_string_lossy().into_owned())
    }
}

/// A static string of the library (a name or the version: plain ASCII).
fn static_text(pointer: *const c_char) -> &'static str {
    if pointer.is_null() {
        return "";
    }
    unsafe { CStr::from_ptr(pointer) }.to_str().unwrap_or("")
}

fn non_zero(value: c_int) -> Option<i32> {
    if value == 0 {
        None
    } else {
        Some(value)
    }
}

/// 1 true, 0 false, -1 (not said) None.
fn tri_state(value: c_int) -> Option<bool> {
    match value {
        0 => Some(false),
        value if value > 0 => Some(true),
        _ => None,
    }
}

fn set(code: c_int) -> Result<(), Error> {
    if code == ffi::DEPLOYHOOK_OK {
        Ok(())
    } else {
        Err(Error::last(code))
    }
}

fn c_string(value: &str, what: &str) -> Result<CString, Error> {
    CString::new(value).map_err(|_| Error::nul(what))
}

fn optional_c_string(value: Option<&str>, what: &str) -> Result<Option<CString>, Error> {
    value.map(|value| c_string(value, what)).transpose()
}

fn as_ptr(value: &Option<CString>) -> *const c_char {
    value.as_ref().map_or(ptr::null(), |value| value.as_ptr())
}

#[cfg(unix)]
fn path_string(path: &Path) -> Result<CString, Error> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes()).map_err(|_| Error::nul("CA file name"))
}

#[cfg(not(unix))]
fn path_string(path: &Path) -> Result<CString, Error> {
    c_string(&path.to_string_lossy(), "CA file name")
}

/// Whole milliseconds, saturated into a C long (the library rejects what is out of its range).
fn milliseconds(duration: Duration) -> c_long {
    c_long::try_from(duration.as_millis()).unwrap_or(c_long::MAX)
}

/// A count, saturated into a C int (the library rejects what is out of its range).
fn count(value: u32) -> c_int {
    c_int::try_from(value).unwrap_or(c_int::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_numbers_map_to_unknown_variants() {
        assert_eq!(ErrorKind::from_code(99), ErrorKind::Unknown(99));
        assert_eq!(ErrorKind::Unknown(99).name(), "DEPLOYHOOK_ERR_UNKNOWN");
        assert_eq!(Status::from_code(0), Status::Unknown(0));
        assert_eq!(Status::from_code(77), Status::Unknown(77));
        assert_eq!(Status::Unknown(77).name(), "unknown");
        assert_eq!(Outcome::from_code(0), None);
        assert_eq!(Outcome::from_code(6), Some(Outcome::Unknown(6)));
        assert_eq!(Outcome::from_code(42).map(Outcome::name), Some("unknown"));
    }

    #[test]
    fn every_code_round_trips_with_the_library_names() {
        for code in 1..=13 {
            let kind = ErrorKind::from_code(code);
            assert!(!matches!(kind, ErrorKind::Unknown(_)), "code {} unmapped", code);
            assert_eq!(kind.code(), code);
            assert!(kind.name().starts_with("DEPLOYHOOK_ERR_") && kind.name() != "DEPLOYHOOK_ERR_UNKNOWN");
        }
        assert_eq!(ErrorKind::NotFound.to_string(), "DEPLOYHOOK_ERR_NOT_FOUND");
        assert_eq!(ErrorKind::NoCredentials.code(), 13);
        for code in 1..=4 {
            assert_eq!(Status::from_code(code).code(), code);
        }
        assert_eq!(Status::Stopped.to_string(), "stopped");
        for code in 1..=6 {
            assert_eq!(Outcome::from_code(code).map(Outcome::code), Some(code));
        }
        assert_eq!(Outcome::Cancelled.to_string(), "cancelled");
    }

    #[test]
    fn numbers_saturate() {
        assert_eq!(count(u32::MAX), c_int::MAX);
        assert_eq!(milliseconds(Duration::from_secs(u64::MAX)), c_long::MAX);
        assert_eq!(milliseconds(Duration::from_micros(1500)), 1);
        assert_eq!(tri_state(-1), None);
        assert_eq!(tri_state(1), Some(true));
    }
}
