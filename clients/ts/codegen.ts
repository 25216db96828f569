// GraphQL Code Generator configuration: the types of Linli's schema and of
// the operations in src/, from the committed SDL (no running server needed).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../api/schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      config: {
        // Linli's custom scalars travel as strings: Cursor is opaque, Time
        // is RFC 3339.
        scalars: { Cursor: 'string', Time: 'string' },
        enumsAsTypes: true,
        strictScalars: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
