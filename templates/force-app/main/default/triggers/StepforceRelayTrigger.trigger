/** Continues relayed runs in a fresh Queueable chain (see StepforceRelay). */
trigger StepforceRelayTrigger on Stepforce_Relay__e(after insert) {
  StepforceRelay.handle(Trigger.new);
}
