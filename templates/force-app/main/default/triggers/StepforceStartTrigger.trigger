/** Starts one Stepforce run per Stepforce_Start__e (see StepforceStartEvents). */
trigger StepforceStartTrigger on Stepforce_Start__e(after insert) {
  StepforceStartEvents.handle(Trigger.new);
}
