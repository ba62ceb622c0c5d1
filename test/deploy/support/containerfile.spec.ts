import { ContainerfileError, copies, execForm, last, parseContainerfile } from './containerfile';

const TEXT = `# syntax comment
ARG BASE=docker.io/library/node:20.20.2-bookworm-slim
FROM \${BASE} AS build
WORKDIR /src
RUN apt-get update \\
  # a comment inside a continued line
  && apt-get install -y iproute2
COPY a.json b.json ./
FROM $BASE
COPY --from=build /src/dist ./dist
CMD ["node", "dist/main.js"]
`;

describe('parseContainerfile', () => {
  it('reads stages, substitutes global ARGs in FROM and joins continued lines', () => {
    const file = parseContainerfile(TEXT);
    expect(file.globalArgs).toEqual(new Map([['BASE', 'docker.io/library/node:20.20.2-bookworm-slim']]));
    expect(file.stages.map((s) => [s.name, s.image])).toEqual([
      ['build', 'docker.io/library/node:20.20.2-bookworm-slim'],
      [null, 'docker.io/library/node:20.20.2-bookworm-slim'],
    ]);
    expect(file.stages[0].instructions.find((i) => i.keyword === 'RUN')).toEqual({ keyword: 'RUN', args: 'apt-get update && apt-get install -y iproute2', line: 5 });
  });

  it('lists COPY sources, destination and --from', () => {
    const [build, runtime] = parseContainerfile(TEXT).stages;
    expect(copies(build)).toEqual([{ from: null, sources: ['a.json', 'b.json'], destination: './', line: 8 }]);
    expect(copies(runtime)).toEqual([{ from: 'build', sources: ['/src/dist'], destination: './dist', line: 10 }]);
  });

  it('reads CMD in exec form and refuses the shell form', () => {
    const runtime = parseContainerfile(TEXT).stages[1];
    expect(execForm(last(runtime, 'CMD')!)).toEqual(['node', 'dist/main.js']);
    expect(() => execForm({ keyword: 'CMD', args: 'node dist/main.js', line: 3 })).toThrow(/line 3: CMD node dist\/main.js: not in exec form/);
  });

  it.each([
    ['FROM $NOPE\n', /line 1: \$NOPE has no default/],
    ['RUN true\n', /line 1: RUN before the first FROM/],
    ['FROM a AS\n', /line 1: FROM a AS: expected IMAGE \[AS NAME\]/],
    ['FROM a\nRUN x \\', /line 2: the last instruction ends with a line continuation/],
    ['# nothing\n', /no FROM/],
  ])('refuses %j naming the line', (text, message) => {
    expect(() => parseContainerfile(text)).toThrow(ContainerfileError);
    expect(() => parseContainerfile(text)).toThrow(message);
  });
});
