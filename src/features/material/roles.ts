/**
 * Who records material moves at the station (split, merge, repack, scrap, return): operators at
 * stores and work centers, who handle the material; supervisors, who run the floor; quality, who
 * scrap what is not under an NCR and take material back. Inspectors measure and engineering
 * concurs: neither moves material. Kept apart from the screen so the header reads it without
 * loading the screen's code.
 */
export const MATERIAL_ROLES: readonly string[] = ['operator', 'supervisor', 'quality'];
