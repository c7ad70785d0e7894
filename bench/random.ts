/** Small seeded PRNG (mulberry32): the same seed gives the same data set. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FIRST_NAMES = [
  'Anna',
  'Piotr',
  'Maria',
  'Jan',
  'Katarzyna',
  'Tomasz',
  'Agnieszka',
  'Marek',
  'Ewa',
  'Pawel',
  'Joanna',
  'Michal',
  'Magdalena',
  'Krzysztof',
  'Zofia',
  'Adam',
  'Julia',
  'Lukasz',
  'Olga',
  'Igor',
];
export const LAST_NAMES = [
  'Kowalska',
  'Nowak',
  'Wisniewski',
  'Wojcik',
  'Kaminska',
  'Lewandowski',
  'Zielinska',
  'Szymanski',
  'Wozniak',
  'Dabrowski',
  'Kozlowska',
  'Jankowski',
  'Mazur',
  'Kwiatkowski',
  'Krawczyk',
  'Piotrowska',
];
export const STAGES = ['lead', 'prospect', 'customer', 'churned', 'vip'];
export const STORES = Array.from(
  { length: 50 },
  (_, i) => `Store ${String(i + 1).padStart(2, '0')}`,
);
export const TAG_NAMES = Array.from(
  { length: 20 },
  (_, i) => `segment-${String(i + 1).padStart(2, '0')}`,
);
