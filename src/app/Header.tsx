import { useRef } from 'react';
import { NavLink, useLocation } from 'react-router';
import { canRelease } from '../domain/holds.ts';
import { usePlant, useSession, useStation } from './station-context.ts';
import { CONFLICT_ROLES } from './StatusBar.tsx';
import { useSilentStations } from '../features/stations/use-silent-stations.ts';
import { MATERIAL_ROLES } from '../features/material/roles.ts';

/**
 * Roles the header links the audit trail for: those who answer an auditor. Every role may open
 * /audit (the trail is read-only and about parts the operator already sees).
 */
const AUDIT_NAV_ROLES: readonly string[] = ['supervisor', 'quality'];

/**
 * Roles the header links the NCRs screen (/ncrs) for, besides supervisors: who dispositions or
 * concurs.
 */
const NCR_NAV_ROLES: readonly string[] = ['quality', 'engineering'];

/** A screen of records (not of the floor's work): reached through the header's Records menu. */
interface RecordLink {
  to: string;
  label: string;
}

/**
 * The records screens a role may open from the header. They sit in one menu so that a supervisor's
 * header stays one row at 1280 px as screens are added (issue 12, [20]); the floor's own work
 * (queue, holds, conflicts, stations, sync) stays one tap away.
 */
export function recordLinks(role: string): RecordLink[] {
  const links: RecordLink[] = [];
  if (NCR_NAV_ROLES.includes(role) || role === 'supervisor') links.push({ to: '/ncrs', label: 'NCRs' });
  if (AUDIT_NAV_ROLES.includes(role)) {
    links.push({ to: '/audit', label: 'Audit trail' });
    links.push({ to: '/evidence', label: 'Evidence' });
    links.push({ to: '/genealogy', label: 'Genealogy' });
  }
  // A supervisor's and a quality engineer's rows are full (seven links, [20]): the Material and Ship
  // screens, mostly the floor's, sit in the menu for them.
  if (role === 'supervisor' || role === 'quality') {
    links.push({ to: '/material', label: 'Material' });
    links.push({ to: '/shipping', label: 'Ship' });
  }
  return links;
}

/** The Records menu: a disclosure that closes when one of its screens is chosen. */
function RecordsMenu({ links }: { links: readonly RecordLink[] }) {
  const menu = useRef<HTMLDetailsElement>(null);
  const { pathname } = useLocation();
  const current = links.some((link) => pathname.startsWith(link.to));
  const close = () => {
    if (menu.current !== null) menu.current.open = false;
  };
  return (
    <details className="nav-menu" ref={menu}>
      <summary className={current ? 'nav-link active' : 'nav-link'}>Records</summary>
      <div className="nav-menu-list">
        {links.map((link) => (
          <NavLink key={link.to} to={link.to} className="nav-link" onClick={close}>
            {link.label}
          </NavLink>
        ))}
      </div>
    </details>
  );
}

/**
 * Who is signed in, where the station stands, where to go, and the one-tap sign-out: one compact
 * row at 1280 px wide (two at 800), so the screen is left for the work.
 */
export function Header() {
  const { rt, config } = useStation();
  const { session, signOut } = useSession();
  const plant = usePlant(rt);
  const workCenter = plant.workCenters.get(config.workCenterId);
  const operator = plant.operators.get(session.badge);
  const mayRelease = operator !== undefined && canRelease(operator);
  const openConflicts = [...plant.conflicts.values()].filter((c) => c.status === 'open').length;
  const silentStations = useSilentStations(AUDIT_NAV_ROLES.includes(session.role));
  const records = recordLinks(session.role);

  return (
    <header className="app-header">
      <div className="app-header-where">
        <span className="brand">Travelog</span>
        <span className="where">
          <strong>{config.workCenterId}</strong>
          {/* A long station name is cut with an ellipsis (the whole name on hover) so the header stays one row. */}
          <span className="where-detail" title={`${workCenter !== undefined ? `${workCenter.name} · ` : ''}${config.stationName}`}>
            {workCenter !== undefined && `${workCenter.name} · `}
            {config.stationName}
          </span>
        </span>
      </div>
      <nav aria-label="Main" className="app-nav">
        <NavLink to="/" end className="nav-link">
          Queue
        </NavLink>
        {MATERIAL_ROLES.includes(session.role) && !records.some((link) => link.to === '/material') && (
          <NavLink to="/material" className="nav-link">
            Material
          </NavLink>
        )}
        {/* Whoever ships does it at a station (docs/shipping.md); a supervisor's full header ([20]) has it in Records. */}
        {!records.some((link) => link.to === '/shipping') && (
          <NavLink to="/shipping" className="nav-link">
            Ship
          </NavLink>
        )}
        {mayRelease && (
          <NavLink to="/holds" className="nav-link">
            Holds
          </NavLink>
        )}
        {CONFLICT_ROLES.includes(session.role) && (
          <NavLink to="/conflicts" className="nav-link">
            {openConflicts > 0 ? `Conflicts (${openConflicts})` : 'Conflicts'}
          </NavLink>
        )}
        {session.role === 'quality' && (
          <NavLink to="/quarantine" className="nav-link">
            Quarantine
          </NavLink>
        )}
        {records.length > 0 && <RecordsMenu links={records} />}
        {AUDIT_NAV_ROLES.includes(session.role) && (
          <NavLink to="/stations" className="nav-link" title={silentStations > 0 ? `${silentStations} silent with events not on the server` : undefined}>
            {silentStations > 0 ? `Stations (${silentStations})` : 'Stations'}
          </NavLink>
        )}
        <NavLink to="/sync" className="nav-link">
          Sync
        </NavLink>
        {session.role === 'supervisor' && (
          // Shown short to keep the header to one row; the full name is the link's accessible name.
          <NavLink to="/work-center" className="nav-link" aria-label="Change work center">
            Work center
          </NavLink>
        )}
      </nav>
      <div className="app-header-who">
        <span className="who" data-testid="signed-in-as">
          <strong>{session.name}</strong> <span className="role">{session.role}</span>
        </span>
        <button type="button" className="button header-button" onClick={() => void signOut('manual')}>
          Sign out
        </button>
      </div>
    </header>
  );
}
