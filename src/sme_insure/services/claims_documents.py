"""Claim documents: upload (type and size checked, hashed, stored behind the storage interface)
and what is received and outstanding. The upload that completes the documents of a fast-track
claim pays it, in the same transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sme_insure.claims.cover import outstanding
from sme_insure.claims.uploads import check_upload
from sme_insure.claims.vocabulary import ClaimStatus, Route
from sme_insure.services import audit
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.claims_ledger import get_claim, lock_claim, received, require_status, rules
from sme_insure.services.claims_settlement import settle_fast_track
from sme_insure.services.context import Services
from sme_insure.services.documents_store import documents_store, lock_content
from sme_insure.storage.claims_schema import Claim, ClaimDocument


@dataclass(frozen=True)
class Upload:
    """One uploaded file."""

    doc_type: str
    filename: str
    data: bytes


def upload_document(session: Session, services: Services, actor: Actor, claim_id: int,
                    upload: Upload) -> tuple[ClaimDocument, bool]:
    """Store a document of the claim; the same file again returns the first upload
    (``created`` False), whatever the claim's status since: the upload that completed a
    fast-track claim paid and closed it, and its retry must not be refused as "closed".
    Completing the documents of a fast-track claim settles it."""
    authorize(actor, Action.REPORT_CLAIMS)
    claim, policy = lock_claim(session, actor, claim_id)
    same = session.scalars(select(ClaimDocument).where(
        ClaimDocument.claim_id == claim.id, ClaimDocument.doc_type == upload.doc_type,
        ClaimDocument.sha256 == hashlib.sha256(upload.data).hexdigest())).first()
    if same is not None:
        return same, False
    require_status(claim, ClaimStatus.OPEN)
    checked = check_upload(upload.doc_type, upload.data, allowed_docs=claim.documents_required,
                           rules=rules(services).uploads)
    lock_content(session, checked.sha256)  # an erasure deleting the same bytes waits, or is waited for
    key = documents_store(services).put(upload.data, checked.sha256)
    doc = ClaimDocument(tenant_id=claim.tenant_id, claim_id=claim.id, doc_type=upload.doc_type,
                        filename=upload.filename[-255:] or "upload", content_type=checked.content_type,
                        size_bytes=checked.size, sha256=checked.sha256, storage_key=key,
                        uploaded_by_key=actor.key_id)
    session.add(doc)
    session.flush()
    audit.record(session, actor, "claim.document_upload", "claim", claim.id, {
        "document_id": doc.id, "doc_type": doc.doc_type, "sha256": doc.sha256, "size_bytes": doc.size_bytes})
    if claim.docs_complete_on is None and not outstanding(claim.documents_required, received(session, claim)):
        claim.docs_complete_on = services.today()
        if claim.route == Route.FAST_TRACK:
            settle_fast_track(session, services, actor, claim, policy)
    return doc, True


def list_documents(session: Session, actor: Actor, claim_id: int) -> tuple[Claim, list[ClaimDocument]]:
    """The claim and its documents, in upload order."""
    authorize(actor, Action.READ_CLAIMS)
    claim = get_claim(session, actor, claim_id)
    docs = session.scalars(select(ClaimDocument).where(ClaimDocument.claim_id == claim.id)
                           .order_by(ClaimDocument.id))
    return claim, list(docs)
