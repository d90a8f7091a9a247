/**
 * The station ⇄ server protocol version. Bump it whenever a message schema in `schemas/` changes,
 * and add a line to the history. A station older than `OLDEST_SERVED_PROTOCOL_VERSION` gets an
 * explicit `client-too-old` answer.
 *
 * History:
 * 1. Enrollment and checkpointed pull of the plant's views (station core).
 * 2. Push with receipts, receipts and conflict/step/quarantine views in pull, conflict.resolved,
 *    effectiveFrom on revisions, review signature meanings.
 * 3. Signed events (signature, prevHash, keyAlg), the station's public key at enrollment, security
 *    flags for bad signatures, unknown or revoked stations and broken chains; the audit log routes;
 *    identifier formats as master data (view kind identifierFormat).
 * 4. Audit keys in the enrollment answer (pinned by the station), entries withheld by program
 *    clearance (leaf hash only) and a trail's withheld count, the station list and revocation under
 *    e-signature. Additive: version 3 stations are still served.
 * 5. A station's programs changed under e-signature (the station list shows the programs the caller
 *    is cleared for), audit entries for that change and for refused signatures and lockouts at the
 *    server. Additive: version 3 and 4 stations are still served.
 * 6. The `beyond-bill` flag (rule C17) in receipts and conflict views, and the recording station's
 *    id on a step view's consumptions (so a void of a duplicate completion voids that station's material).
 *    Length units µm (`um`) and µin (`uin`) for characteristics and measurements (surface finish);
 *    the audit trail looked up by serial, lot, work order or part in any case (`?q=`), its answer
 *    naming the trail subjects (and part) it was answered for.
 *    A server restored from a backup says so: a signed `log.restored` audit entry, and `restart`
 *    (epoch and the station's last sequence held) in pull and push answers; a push names the epoch
 *    it knows (S23).
 *    Audit entries of format 6: not signed one by one (a stored entry's `signature` is optional; a
 *    signed checkpoint covers every append before it is answered), each naming the previous entry
 *    about each of its subjects (`format`, `prev`; subjects `serial:`, `lot:`, `work-order:`, `part:`
 *    as src/audit/subjects.ts derives them); station signatures checked per unbroken run.
 *    Version 5 and older stations get `client-too-old`, reload the app and push their outbox.
 * 7. Genealogy, NCRs, the QMS link and the fleet. Lots carry their provenance (supplier, supplier
 *    lot, heat number, certificate, received date); genealogy events `lot.split`, `lot.merged`,
 *    `lot.repacked`, `unit.scrapped`, `material.returned`, a lot's `origin`, `movedOut` (kinds split,
 *    merged, repacked) and `scrapped`, a serial's `scrapped`, a consumption's `returned`, flags
 *    `split-conflict` (C18) and `scrapped-material` (C19), C20 refusals. NCR lifecycle events
 *    `ncr.opened`, `ncr.dispositioned`, `ncr.rework-recorded`; the nonconformance view's statuses
 *    `open`, `dispositioned`, `closed` and its `items` with their signed dispositions; the role
 *    `engineering`; disposition and concurrence signature meanings; `customerApprovalRequired` on a
 *    work order; flags `worked-under-ncr`, `duplicate-disposition`, `unauthorized-disposition`
 *    (C30–C32). Rework and repair as operations inserted in the unit's traveler: `operationId`,
 *    `instruction` (the repair instruction) and `reinspect` on `ncr.dispositioned` and on the view's
 *    dispositions (docs/ncr.md); `ncr.rework-recorded` only for material that has no traveler.
 *    Containment through genealogy: the event `ncr.containment-extended` and the signature meaning
 *    `contained: made from suspect material`, an NCR item's `containedBy`, an NCR's `containments` and
 *    `containsFromLot`, up to 5,000 items (C37, C38). The QMS link: a disposition record's optional
 *    `qms` (reference, integration, approver) for a disposition the QMS posted, and the flag
 *    `disposition-in-qms` (C35). The station report: an optional `Travelog-Station-Report` request
 *    header on push and pull (schemas/station-report.ts, S24), `Travelog-Station-Report-Error` on the
 *    answer when it is not taken; `fleet` on each station of `GET /api/stations` and the list's
 *    `silentAfterSeconds`. A version 6 station would refuse the new statuses, flags and role in a
 *    pull, so version 6 stations get `client-too-old`, reload the app (the service worker brings
 *    version 7) and push their outbox, as version 5 stations did at version 6.
 * 8. Shipping, the red tag's photo, the QMS side of the station. A photo on a red tag: `ncr.opened`
 *    and the nonconformance view carry an optional `photo` (`sha256`, `mediaType`, `bytes`;
 *    schemas/attachment.ts), the bytes go up by `PUT /api/attachments/<sha256>` and down by `GET`
 *    (docs/ncr.md "Photo").
 *    Shipping: the event `unit.shipped` (a finished unit or a quantity of a work order's lot, with
 *    the customer and the shipment or packing-slip reference), a serial's `shipped` and a lot's
 *    `shipped` list, the flag `shipped-nonconforming` (C39), an evidence package's
 *    `facts.shipments`; `mrbDecides` on every pull answer (where the plant's MRB decides); audit
 *    entries `integration.created` and `integration.revoked`; a QMS disposition record's
 *    `qms.concurrence` (engineering's approver and reference). A version 7 station would refuse a
 *    pulled NCR view with a photo, or a serial or lot view carrying `shipped` and the new flag, so
 *    version 7 stations get `client-too-old`, reload the app and push their outbox.
 */
export const PROTOCOL_VERSION = 8;
export const OLDEST_SERVED_PROTOCOL_VERSION = 8;
