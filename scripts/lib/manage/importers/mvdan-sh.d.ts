// The few parts of mvdan-sh (mvdan/sh's parser compiled to JavaScript) that shellscript.ts uses; the package
// ships no types.
declare module 'mvdan-sh' {
  export interface Position {
    Offset(): number;
  }
  export interface ShellNode {
    Pos(): Position;
    End(): Position;
    [field: string]: unknown;
  }
  export interface ShellParser {
    Parse(text: string, name: string): ShellNode;
  }
  export type ParserOption = (parser: ShellParser) => void;
  export const syntax: {
    NewParser(...options: ParserOption[]): ShellParser;
    Variant(language: number): ParserOption;
    LangBash: number;
    NodeType(node: ShellNode): string;
    Walk(node: ShellNode, visit: (node: ShellNode | null) => boolean): void;
  };
}
