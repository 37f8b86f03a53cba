package io.capstan.definitions.fuzz;

/**
 * The classic billion-laughs document, shared by the parser's and the API's hostile-input tests:
 * nine levels of nine aliases, 387,420,489 strings once expanded, in 600 bytes. Its eighth line
 * holds the alias that goes over the limit.
 */
public final class BillionLaughs {
  public static final String JOB =
      """
      apiVersion: capstan.io/v1
      kind: Job
      metadata: {name: lol}
      spec:
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
      """;

  private BillionLaughs() {}
}
