package io.capstan.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every client subcommand shares: the API it talks to and where it prints. */
abstract class ApiCommand implements Callable<Integer> {
  @ParentCommand CapstanCli root;

  @Spec CommandSpec spec;

  ApiClient client() {
    return root.client();
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  static String runPath(String id) {
    return "/api/v1/runs/" + ApiClient.segment(id);
  }
}
