//! Dossier use cases: submission, intake, processing, result — one write path.
//!
//! Every change goes through [`DossierTx`]: load the state inside the write transaction, check
//! the actor's permission and scope, let the domain decide, then record the events and the
//! projection together. Single commands open and commit their own transaction; the demo
//! generator and imports run many commands in one.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use motcua_domain::authz::{self, Action, Principal, Target};
use motcua_domain::calendar::Calendar;
use motcua_domain::dossier::{
    Applicant, Command, Component, Context, Dossier, DossierCode, DossierError, DossierEvent,
    ProcedureRef, Submission, decide,
};
use motcua_domain::event::{Channel, EventMeta};
use motcua_domain::kpi::counts;
use motcua_storage::events::RecordedEvent;
use motcua_storage::{StoreError, Tx, dossiers};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::{Acting, ServiceError, ServiceResult, Services};

impl From<DossierError> for ServiceError {
    fn from(e: DossierError) -> Self {
        match e {
            DossierError::Invalid(m) | DossierError::InvalidCode(m) => ServiceError::Invalid(m),
            other => ServiceError::Refused(other.to_string()),
        }
    }
}

/// What a new dossier carries; the code is allocated on creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDossier {
    /// Identifier code of the responsible agency (the code prefix).
    pub agency: String,
    /// The procedure as in force.
    pub procedure: ProcedureRef,
    /// The applicant.
    pub applicant: Applicant,
    /// Desk, online or post.
    pub channel: Channel,
    /// Submitted components.
    pub components: Vec<Component>,
    /// Authenticated with the national e-ID.
    pub eid_verified: bool,
}

/// The permissions a command needs (any one of them suffices).
fn actions_for(command: &Command) -> &'static [Action] {
    use Action::*;
    match command {
        Command::Submit(_) => &[SubmitDossier],
        Command::Receive
        | Command::RequestIntakeSupplement { .. }
        | Command::RefuseAtIntake { .. } => &[ReceiveDossier],
        Command::ReturnResult { .. } => &[ReceiveDossier],
        // The desk scans the paper result it hands over; the leader who signed it may too.
        Command::ScanResult { .. } => &[ReceiveDossier, DecideDossier],
        // The applicant acts online; at the desk the officer records it for them.
        Command::ProvideIntakeSupplement
        | Command::ProvideSupplement
        | Command::RecordPayment { .. }
        | Command::Withdraw { .. } => &[ActAsApplicant, ReceiveDossier],
        Command::Rate { .. } => &[ActAsApplicant],
        Command::Transfer { .. }
        | Command::RequestSupplement { .. }
        | Command::RequestPayment { .. } => &[ProcessDossier],
        Command::Finish { .. }
        | Command::IssueResult { .. }
        | Command::Stop { .. }
        | Command::Extend { .. } => &[DecideDossier],
    }
}

fn authorize(principal: &Principal, command: &Command, target: &Target) -> ServiceResult<()> {
    authorize_actions(principal, actions_for(command), target)
}

/// Allowed when the principal may do any one of `actions` to the dossier `target`
/// (role and scope: its agency, or its applicant for citizens and businesses).
fn authorize_actions(
    principal: &Principal,
    actions: &[Action],
    target: &Target,
) -> ServiceResult<()> {
    authz::authorize_any(principal, actions, target)
        .map_err(|d| ServiceError::Forbidden(d.to_string()))
}

/// A write transaction over dossiers: many commands, one commit.
///
/// The database transaction begins at the first write, after the agency's calendar is at
/// hand: looking a calendar up needs a connection of its own, and holding a transaction
/// while waiting for a second connection could exhaust a PostgreSQL pool under load.
pub struct DossierTx<'a> {
    services: &'a Services,
    tx: Option<Tx>,
    secrets: Option<ChaCha8Rng>,
}

/// Letters and digits that cannot be misread on paper (no 0/O, 1/I/L).
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Length of a lookup secret: 31^8 ≈ 8.5 × 10^11 possibilities.
const SECRET_LENGTH: usize = 8;

fn lookup_secret(rng: &mut impl rand::Rng) -> String {
    (0..SECRET_LENGTH)
        .map(|_| char::from(SECRET_ALPHABET[rng.random_range(0..SECRET_ALPHABET.len())]))
        .collect()
}

impl Services {
    /// Opens a dossier write transaction.
    pub fn dossier_tx(&self) -> DossierTx<'_> {
        DossierTx {
            services: self,
            tx: None,
            secrets: None,
        }
    }

    /// Creates a dossier; with `receive`, also receives it (desk and post intake of a
    /// complete dossier), in one transaction.
    pub async fn submit_dossier(
        &self,
        acting: &Acting,
        new: NewDossier,
        receive: bool,
    ) -> ServiceResult<Dossier> {
        let mut tx = self.dossier_tx();
        let dossier = tx.submit(acting, new, receive, self.now()).await?;
        tx.commit().await?;
        Ok(dossier)
    }

    /// Applies one command to a dossier. With `expected_version`, refuses if the dossier
    /// changed since the caller read it (optimistic concurrency for forms).
    pub async fn act_on_dossier(
        &self,
        acting: &Acting,
        code: &DossierCode,
        command: Command,
        expected_version: Option<i64>,
    ) -> ServiceResult<Dossier> {
        let mut tx = self.dossier_tx();
        let dossier = tx
            .act(acting, code, command, expected_version, self.now())
            .await?;
        tx.commit().await?;
        Ok(dossier)
    }

    /// The current state of a dossier.
    pub async fn find_dossier(&self, code: &DossierCode) -> ServiceResult<Dossier> {
        let row = self
            .store()
            .find_dossier_row(&code.to_string())
            .await?
            .ok_or_else(|| not_found(code))?;
        Ok(row.state.0)
    }

    /// A dossier's whole history, oldest first: the audit trail.
    pub async fn dossier_history(&self, code: &DossierCode) -> ServiceResult<Vec<RecordedEvent>> {
        let events = self
            .store()
            .load_stream(dossiers::STREAM, &code.to_string())
            .await?;
        if events.is_empty() {
            return Err(not_found(code));
        }
        Ok(events)
    }

    /// The calendar a dossier of `agency` is counted on.
    pub async fn dossier_calendar(&self, agency: &str) -> ServiceResult<Arc<Calendar>> {
        self.agency_calendar(agency).await
    }
}

fn not_found(code: &DossierCode) -> ServiceError {
    ServiceError::Store(StoreError::NotFound {
        what: format!("hồ sơ / dossier {code}"),
    })
}

impl DossierTx<'_> {
    /// Draws receipts' lookup secrets from a generator seeded with `seed` instead of the
    /// operating system's: for reproducible demo data only.
    pub fn with_secret_seed(mut self, seed: u64) -> Self {
        self.secrets = Some(ChaCha8Rng::seed_from_u64(seed));
        self
    }

    fn next_secret(&mut self) -> String {
        match self.secrets.as_mut() {
            Some(rng) => lookup_secret(rng),
            None => lookup_secret(&mut rand::rng()),
        }
    }

    async fn tx(&mut self) -> ServiceResult<&mut Tx> {
        if self.tx.is_none() {
            self.tx = Some(self.services.store().begin().await?);
        }
        self.tx
            .as_mut()
            .ok_or_else(|| ServiceError::Invalid("transaction".into()))
    }

    /// The transaction itself, opened if need be: for use cases that record other streams
    /// with the dossier's change.
    pub(crate) async fn raw(&mut self) -> ServiceResult<&mut Tx> {
        self.tx().await
    }

    /// Who `acting` stands for; an account's applicant number is read in this transaction
    /// when it is open (a second connection while holding one could starve the pool).
    async fn principal(&mut self, acting: &Acting) -> ServiceResult<Principal> {
        let services = self.services;
        services.principal_in(self.tx.as_mut(), acting).await
    }

    fn meta(&self, acting: &Acting, at: DateTime<Utc>) -> EventMeta {
        EventMeta {
            at,
            actor: acting.actor.clone(),
            channel: acting.channel,
            request_id: acting.request_id.clone(),
        }
    }

    /// Creates (and with `receive`, receives) a dossier at instant `at`.
    pub async fn submit(
        &mut self,
        acting: &Acting,
        new: NewDossier,
        receive: bool,
        at: DateTime<Utc>,
    ) -> ServiceResult<Dossier> {
        if !matches!(new.channel, Channel::Desk | Channel::Online | Channel::Post) {
            return Err(ServiceError::Invalid(
                "kênh nộp hồ sơ phải là trực tiếp, trực tuyến hoặc bưu chính / the channel must be desk, online or post".into(),
            ));
        }
        if new.applicant.name.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "thiếu họ tên chủ hồ sơ / the applicant's name is required".into(),
            ));
        }
        let target = Target::dossier(&new.agency, &authz::applicant_number(&new.applicant.id));
        let principal = self.principal(acting).await?;
        authorize_actions(&principal, &[Action::SubmitDossier], &target)?;
        let calendar = self.services.dossier_calendar(&new.agency).await?;
        // Before the transaction holds a connection, as the calendar: the write reads them.
        self.services.kpi_scopes(&new.agency).await?;
        let day = at.with_timezone(&calendar.config().offset).date_naive();
        let sequence = dossiers::allocate_sequence(self.tx().await?, &new.agency, day).await?;
        let code = DossierCode::new(&new.agency, day, sequence)?;
        let submit = Command::Submit(Box::new(Submission {
            code,
            agency: new.agency,
            procedure: new.procedure,
            applicant: new.applicant,
            channel: new.channel,
            components: new.components,
            eid_verified: new.eid_verified,
            lookup_secret: self.next_secret(),
        }));
        let rules = *self.services.rules();
        let ctx = Context {
            now: at,
            calendar: &calendar,
            rules: &rules,
        };
        let (mut events, mut state) = decide(None, &submit, &ctx)?;
        if receive {
            authorize(&principal, &Command::Receive, &target)?;
            let (more, next) = decide(Some(&state), &Command::Receive, &ctx)?;
            events.extend(more);
            state = next;
        }
        self.record_change(acting, at, None, &events, &state)
            .await?;
        Ok(state)
    }

    /// Applies `command` to the dossier `code` at instant `at`.
    pub async fn act(
        &mut self,
        acting: &Acting,
        code: &DossierCode,
        command: Command,
        expected_version: Option<i64>,
        at: DateTime<Utc>,
    ) -> ServiceResult<Dossier> {
        // A dossier is counted on the calendar of the agency whose code it carries; look it up
        // before the transaction holds a connection.
        self.services.dossier_calendar(code.agency()).await?;
        self.services.kpi_scopes(code.agency()).await?;
        let current = dossiers::find_in(self.tx().await?, code)
            .await?
            .ok_or_else(|| not_found(code))?;
        if let Some(expected) = expected_version
            && expected != current.version
        {
            return Err(ServiceError::Store(StoreError::Conflict {
                what: format!("hồ sơ / dossier {code}"),
                expected,
                actual: current.version,
            }));
        }
        self.act_on_state(acting, &current, command, at).await
    }

    /// Applies `command` to a dossier whose current state the caller already holds — a
    /// generator driving a whole life cycle in one transaction saves the re-read. The write
    /// still goes through [`dossiers::record`], guarded by the stored version.
    pub async fn act_on_state(
        &mut self,
        acting: &Acting,
        current: &Dossier,
        command: Command,
        at: DateTime<Utc>,
    ) -> ServiceResult<Dossier> {
        if matches!(command, Command::Submit(_)) {
            return Err(ServiceError::Invalid(
                "dùng nộp hồ sơ mới để tạo hồ sơ / use a new submission to create a dossier".into(),
            ));
        }
        let principal = self.principal(acting).await?;
        authorize(&principal, &command, &Target::of_dossier(current))?;
        let calendar = self
            .services
            .dossier_calendar(current.code().agency())
            .await?;
        let rules = *self.services.rules();
        let ctx = Context {
            now: at,
            calendar: &calendar,
            rules: &rules,
        };
        let (events, state) = decide(Some(current), &command, &ctx)?;
        self.record_change(acting, at, Some(current), &events, &state)
            .await?;
        Ok(state)
    }

    /// Records `events`, which took a dossier from `old` (none for a new one) to `state`,
    /// with the change of the counters in each of its agency's scopes, through the single
    /// write path.
    async fn record_change(
        &mut self,
        acting: &Acting,
        at: DateTime<Utc>,
        old: Option<&Dossier>,
        events: &[DossierEvent],
        state: &Dossier,
    ) -> ServiceResult<()> {
        let scopes = self.services.kpi_scopes(&state.submission.agency).await?;
        let meta = self.meta(acting, at);
        let counts = counts::delta(old, state, &self.services.rules().outcome);
        let version = old.map_or(0, |d| d.version);
        dossiers::record(
            self.tx().await?,
            version,
            events,
            state,
            &meta,
            &counts,
            &scopes,
        )
        .await?;
        Ok(())
    }

    /// Commits every change made in this transaction.
    pub async fn commit(self) -> ServiceResult<()> {
        if let Some(tx) = self.tx {
            tx.commit().await?;
            // After the commit: a list read from now on sees the change, one read before is
            // dropped (PostgreSQL's event ids need not grow in commit order).
            self.services.worklists.changed();
        }
        Ok(())
    }
}

/// Replays every dossier's log through the domain and compares the result with the stored
/// projection; with `repair`, overwrites projections that differ.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayReport {
    /// Dossiers replayed.
    pub dossiers: u64,
    /// Events replayed.
    pub events: u64,
    /// Codes whose stored projection differed from the replay.
    pub mismatches: Vec<String>,
}

impl Services {
    /// Rebuilds every dossier from its events and checks (or, with `repair`, restores) the
    /// projections: the proof that the log alone is the truth.
    pub async fn replay_dossiers(&self, repair: bool) -> ServiceResult<ReplayReport> {
        let mut report = ReplayReport::default();
        let mut after = String::new();
        loop {
            let codes = self.store().dossier_codes_after(&after, 500).await?;
            let Some(last) = codes.last() else { break };
            after = last.clone();
            let mut tx = if repair {
                Some(self.store().begin().await?)
            } else {
                None
            };
            for code in codes {
                let (state, events) = self.replay_dossier(&code).await?;
                report.dossiers += 1;
                report.events += events as u64;
                let Some(state) = state else { continue };
                let stored = self.store().find_dossier_row(&code).await?;
                let expected = dossiers::DossierRow::of(&state);
                if stored.as_ref() != Some(&expected) {
                    report.mismatches.push(code.clone());
                    if let Some(tx) = tx.as_mut() {
                        dossiers::overwrite(tx, &state).await?;
                        // The counters followed the wrong projection: ask for their rebuild.
                        motcua_storage::kpi::mark_incomplete(tx).await?;
                    }
                }
            }
            if let Some(tx) = tx {
                tx.commit().await?;
            }
        }
        Ok(report)
    }

    /// A dossier rebuilt from its events alone (`None` for a code without events), and how
    /// many events it took.
    pub(crate) async fn replay_dossier(
        &self,
        code: &str,
    ) -> ServiceResult<(Option<Dossier>, usize)> {
        let events = self.store().load_stream(dossiers::STREAM, code).await?;
        let mut state: Option<Dossier> = None;
        for recorded in &events {
            let event: DossierEvent =
                serde_json::from_value(recorded.payload.clone()).map_err(|e| {
                    ServiceError::Store(StoreError::Corrupt(format!(
                        "{code} v{}: {e}",
                        recorded.version
                    )))
                })?;
            state = Some(motcua_domain::dossier::apply(
                state,
                &event,
                recorded.meta.at,
            )?);
        }
        Ok((state, events.len()))
    }
}
