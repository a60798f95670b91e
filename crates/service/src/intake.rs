//! Group commit for intake: many concurrent submissions, one transaction and one fsync.
//!
//! Each submission is still acknowledged only after its own events are durable; the queue
//! merely lets submissions that arrive together share a commit. SQLite admits one writer at a
//! time and every commit waits for the disk, so under concurrent intake this multiplies
//! throughput instead of queueing commits one by one.

use std::sync::Arc;

use motcua_domain::dossier::Dossier;
use tokio::sync::{mpsc, oneshot};

use crate::dossiers::NewDossier;
use crate::{Acting, ServiceError, ServiceResult, Services};

struct Request {
    acting: Acting,
    new: NewDossier,
    receive: bool,
    reply: oneshot::Sender<ServiceResult<Dossier>>,
}

/// A queue that records submissions in shared transactions. Cheap to clone; the writer task
/// stops when the last clone is dropped.
#[derive(Debug, Clone)]
pub struct IntakeQueue {
    sender: mpsc::Sender<Request>,
}

impl IntakeQueue {
    /// Starts the writer tasks; at most `max_batch` submissions share a transaction.
    ///
    /// SQLite gets one writer (it admits one at a time anyway); PostgreSQL gets several, so
    /// batches also overlap their round trips to the server.
    pub fn start(services: Services, max_batch: usize) -> IntakeQueue {
        let max_batch = max_batch.max(1);
        let (sender, receiver) = mpsc::channel(max_batch * 4);
        let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
        let writers = match services.store().backend() {
            motcua_storage::Backend::Sqlite => 1,
            motcua_storage::Backend::Postgres => 4,
        };
        for _ in 0..writers {
            tokio::spawn(write_batches(services.clone(), receiver.clone(), max_batch));
        }
        IntakeQueue { sender }
    }

    /// Submits a dossier (and with `receive`, receives it); returns once it is committed.
    pub async fn submit(
        &self,
        acting: &Acting,
        new: NewDossier,
        receive: bool,
    ) -> ServiceResult<Dossier> {
        let (reply, answer) = oneshot::channel();
        let request = Request {
            acting: acting.clone(),
            new,
            receive,
            reply,
        };
        let stopped = || {
            ServiceError::Invalid(
                "hàng đợi tiếp nhận đã dừng / the intake queue has stopped".into(),
            )
        };
        self.sender.send(request).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn write_batches(
    services: Services,
    receiver: Arc<tokio::sync::Mutex<mpsc::Receiver<Request>>>,
    max_batch: usize,
) {
    let mut batch = Vec::with_capacity(max_batch);
    loop {
        // Take what has queued up; the lock is held only while collecting a batch.
        let received = receiver.lock().await.recv_many(&mut batch, max_batch).await;
        if received == 0 {
            break;
        }
        let requests = std::mem::take(&mut batch);
        match write_together(&services, &requests).await {
            Ok(dossiers) => {
                for (request, dossier) in requests.into_iter().zip(dossiers) {
                    let _ = request.reply.send(Ok(dossier));
                }
            }
            // One bad submission must not fail its neighbours: record each on its own,
            // so each gets its own answer (and no sequence number is lost to a rollback).
            Err(_) => {
                for request in requests {
                    let result = services
                        .submit_dossier(&request.acting, request.new, request.receive)
                        .await;
                    let _ = request.reply.send(result);
                }
            }
        }
    }
}

async fn write_together(services: &Services, requests: &[Request]) -> ServiceResult<Vec<Dossier>> {
    let mut tx = services.dossier_tx();
    let mut dossiers = Vec::with_capacity(requests.len());
    let now = services.now();
    for request in requests {
        dossiers.push(
            tx.submit(&request.acting, request.new.clone(), request.receive, now)
                .await?,
        );
    }
    tx.commit().await?;
    Ok(dossiers)
}
