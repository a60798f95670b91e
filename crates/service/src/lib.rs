//! Use cases of motcua, shared by the command line and (later) the web faces.
//!
//! This is where a request becomes a recorded change: the caller's permission is checked
//! ([`motcua_domain::authz`]), the pure domain decides, and storage persists events and
//! projections in one transaction. The clock lives here ([`Clock`]), never in the domain.

pub mod accounts;
pub mod api_tokens;
pub mod bench;
pub mod calendar;
pub mod catalog;
pub mod certification;
mod clock;
pub mod data_store;
pub mod demo;
pub mod documents;
pub mod dossiers;
pub mod drafts;
mod error;
pub mod files;
pub mod intake;
pub mod kpi;
pub mod notifications;
pub mod office;
pub mod petitions;
pub mod portal;
mod read_cache;
pub mod reads;
pub mod stats;
pub mod steering;
pub mod tracking;
pub mod units;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use motcua_domain::authz::{self, Action, Principal, Target};
use motcua_domain::calendar::Calendar;
use motcua_domain::dossier::DossierRules;
use motcua_domain::event::{Actor, Channel, EventMeta};
use motcua_storage::Store;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{ServiceError, ServiceResult};

/// Who is acting, through which channel, for which request: what every change records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    /// The actor.
    pub actor: Actor,
    /// The channel the request came through.
    pub channel: Channel,
    /// Correlation id of the request, if any.
    pub request_id: Option<String>,
}

impl Acting {
    /// The system acting from the command line under `name` (e.g. `catalog-import`).
    pub fn cli(name: &str) -> Acting {
        Acting {
            actor: Actor::system(name),
            channel: Channel::Cli,
            request_id: None,
        }
    }

    /// Checks the actor's permission for an action on the installation as a whole (the
    /// catalogue, units, schedules): see [`authz::authorize`]. Actions on a dossier, an
    /// agency or a unit are checked with their [`Target`] instead.
    pub fn require(&self, action: Action) -> ServiceResult<()> {
        authz::authorize(
            &Principal::of_actor(&self.actor),
            action,
            &Target::INSTALLATION,
        )
        .map_err(|d| ServiceError::Forbidden(d.to_string()))
    }
}

/// The use cases, over one store and one clock. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Services {
    store: Store,
    clock: Arc<dyn Clock>,
    rules: DossierRules,
    calendars: Arc<RwLock<HashMap<String, Arc<Calendar>>>>,
    /// The scopes of the procedures used of each agency's dossiers
    /// ([`Services::kpi_scopes`]) on one day's map: kept until units or agencies change or
    /// the day turns, so a write holding a connection need not ask the pool for another.
    kpi_scopes: Arc<RwLock<kpi::ScopesCache>>,
    /// The portal's file store and petition deadlines.
    portal: Arc<portal::PortalSettings>,
    /// Worklists shared by the requests that view them while the log has not grown.
    worklists: Arc<read_cache::WorklistCache>,
    /// Agencies' permission targets (their chain of units), by agency.
    targets: Arc<read_cache::TrustedMap<motcua_domain::authz::Target>>,
    /// What the operations centre's figures of a unit need of it besides the counters (its
    /// agencies and the units within it), by unit or agency code.
    kpi_structures: Arc<read_cache::TrustedMap<Arc<kpi::KpiStructure>>>,
    /// The catalogue's figures for the operations centre, with the catalogue and plans
    /// revision they were computed at.
    catalogue_levels: Arc<std::sync::Mutex<Option<kpi::CatalogueRevision>>>,
    /// Agencies as [`Services::agency`] found them, by identifier code.
    agencies: Arc<read_cache::TrustedMap<Option<motcua_storage::units::StoredAgency>>>,
    /// Live sessions as [`Services::find_session`] found them, by token hash: dropped by
    /// every sign-out, disabling and password change made through these services.
    sessions:
        Arc<read_cache::TrustedMap<(motcua_storage::accounts::SessionRow, accounts::Account)>>,
    /// Where the master key of the signing keys lives, and the public address of
    /// verification links.
    signing: Arc<documents::SigningSettings>,
    /// The fee schedule of certified copies.
    certification_fees: motcua_domain::document::CertificationFees,
    /// When task reminders are due and how failed deliveries are retried.
    notifications: Arc<notifications::NotificationSettings>,
}

impl Services {
    /// Services over `store`, reading time from `clock`, with the default dossier rules.
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Services {
        let portal = portal::PortalSettings::for_store(&store);
        Services {
            signing: Arc::new(documents::SigningSettings::beside(portal.files.dir())),
            portal: Arc::new(portal),
            store,
            clock,
            rules: DossierRules::default(),
            calendars: Arc::default(),
            kpi_scopes: Arc::default(),
            worklists: Arc::default(),
            targets: Arc::default(),
            kpi_structures: Arc::default(),
            catalogue_levels: Arc::default(),
            agencies: Arc::default(),
            sessions: Arc::default(),
            certification_fees: Default::default(),
            notifications: Arc::default(),
        }
    }

    /// The same services with other dossier rules (the open rules of the life cycle).
    pub fn with_rules(mut self, rules: DossierRules) -> Services {
        self.rules = rules;
        self
    }

    /// The dossier rules in force.
    pub fn rules(&self) -> &DossierRules {
        &self.rules
    }

    /// The calendar of an agency: its office hours with the official schedules in force.
    /// Built once per agency and kept until schedules or hours change.
    pub async fn agency_calendar(&self, agency: &str) -> ServiceResult<Arc<Calendar>> {
        if let Some(calendar) = self.read_calendars().get(agency) {
            return Ok(calendar.clone());
        }
        let calendar = Arc::new(self.calendar_for_agency(agency).await?);
        self.write_calendars()
            .insert(agency.to_owned(), calendar.clone());
        Ok(calendar)
    }

    /// Forgets cached calendars (after a schedule import or a change of office hours).
    pub fn forget_calendars(&self) {
        self.write_calendars().clear();
    }

    /// Forgets what is cached of units and agencies (calendars, agencies' units), after a
    /// change to them.
    pub(crate) fn forget_units(&self) {
        self.forget_calendars();
        self.kpi_scopes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .forget();
        self.targets.clear();
        self.kpi_structures.clear();
        self.agencies.clear();
    }

    fn read_calendars(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<Calendar>>> {
        self.calendars.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write_calendars(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<Calendar>>> {
        self.calendars.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The current instant according to the services' clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The envelope of an event recorded now by `acting`.
    pub fn meta(&self, acting: &Acting) -> EventMeta {
        EventMeta {
            at: self.now(),
            actor: acting.actor.clone(),
            channel: acting.channel,
            request_id: acting.request_id.clone(),
        }
    }
}
