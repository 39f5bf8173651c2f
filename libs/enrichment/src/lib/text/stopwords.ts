/** Common English function words, lower case. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each either even ever few for from further had
has have having he her here hers herself him himself his how however i if in into is it its itself just
last least less let like many may me might more most much must my myself neither no nor not now of off on
once only or other ought our ours ourselves out over own per rather same say says said shall she should
since so some such than that the their theirs them themselves then there these they this those though
through thus to too under until up upon us very via was we were what when where whether which while who
whom whose why will with within without would yet you your yours yourself yourselves one two three four
five six seven eight nine ten first second third new also still already well back around among amid
across along toward towards according told tell including another every next ago later earlier`
    .split(/\s+/)
    .filter(Boolean),
);

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word.toLowerCase());
}
